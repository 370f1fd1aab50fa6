#include "daemon/nftables_library.hpp"

#include <dlfcn.h>

namespace cisd {

namespace {

constexpr const char* kSoname = "libnftables.so.1";

// Looks one entry point up; the first one missing is the error.
template <typename Function>
void resolve(void* handle, const char* name, Function& out, std::string& error) {
  out = reinterpret_cast<Function>(dlsym(handle, name));
  if (!out && error.empty()) error = std::string(kSoname) + ": no symbol " + name;
}

net::Expected<NftablesLibrary, std::string> load() {
  void* handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return net::Unexpected(why ? std::string(why) : std::string(kSoname) + ": cannot be loaded");
  }
  NftablesLibrary lib{};
  std::string error;
  resolve(handle, "nft_ctx_new", lib.ctx_new, error);
  resolve(handle, "nft_ctx_free", lib.ctx_free, error);
  resolve(handle, "nft_ctx_output_set_flags", lib.ctx_output_set_flags, error);
  resolve(handle, "nft_ctx_buffer_output", lib.ctx_buffer_output, error);
  resolve(handle, "nft_ctx_buffer_error", lib.ctx_buffer_error, error);
  resolve(handle, "nft_ctx_get_output_buffer", lib.ctx_get_output_buffer, error);
  resolve(handle, "nft_ctx_get_error_buffer", lib.ctx_get_error_buffer, error);
  resolve(handle, "nft_run_cmd_from_buffer", lib.run_cmd_from_buffer, error);
  if (!error.empty()) {
    dlclose(handle);
    return net::Unexpected(error);
  }
  return lib;  // stays loaded for the life of the process
}

}  // namespace

const net::Expected<NftablesLibrary, std::string>& nftables_library() {
  static const net::Expected<NftablesLibrary, std::string> library = load();
  return library;
}

}  // namespace cisd
