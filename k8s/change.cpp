#include "k8s/change.hpp"

namespace k8s {

const char* to_string(ChangeType t) {
  switch (t) {
    case ChangeType::added: return "added";
    case ChangeType::updated: return "updated";
    case ChangeType::deleted: return "deleted";
  }
  return "?";
}

}  // namespace k8s
