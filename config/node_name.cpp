#include "config/config.hpp"

namespace config {

std::string resolve_node_name(const NodeConfig& node, const char* env_node_name, const std::string& hostname) {
  if (!node.name.empty()) return node.name;
  // The DaemonSet passes spec.nodeName as $NODE_NAME; the hostname can differ from the Node's name.
  if (env_node_name && *env_node_name) return env_node_name;
  return hostname;
}

}  // namespace config
