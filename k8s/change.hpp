// What a reflector tells its consumer: one object added, updated or deleted.
#pragma once
#include <string>
#include <vector>

namespace k8s {

enum class ChangeType { added, updated, deleted };

const char* to_string(ChangeType);

template <typename T>
struct Change {
  ChangeType type = ChangeType::added;
  std::string key;  // object_key(): "ns/name", or "name" for cluster-scoped objects
  T object;         // the new object; for deleted, the last one we knew
  bool operator==(const Change&) const = default;
};

}  // namespace k8s
