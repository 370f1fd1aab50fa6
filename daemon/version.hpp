#pragma once
namespace cisd {
inline constexpr const char* kVersion = CIS_VERSION;
}
