// Reading a whole file the daemon was pointed at (the config, advertise.static_file).
#pragma once
#include <string>

namespace config {

// Fills `out` with the file's bytes; 0 on success, else the errno that stopped it (a directory
// opens but fails to read: EISDIR).
int read_text_file(const std::string& path, std::string& out);

}  // namespace config
