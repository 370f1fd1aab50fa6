#include "config/config.hpp"

namespace config {

std::string ConfigError::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + key + ": " + message;
}

}  // namespace config
