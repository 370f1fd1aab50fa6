// Process-wide log setup: spdlog to stderr, as text or one JSON object per line.
#pragma once
#include "config/config.hpp"

namespace cisd {
void setup_logging(const config::LogConfig& log);
}
