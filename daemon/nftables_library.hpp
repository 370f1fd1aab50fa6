#pragma once
// libnftables, loaded the first time kube-proxy's nftables table is read. Only a node whose
// kube-proxy runs in nftables mode needs it, so no other start of the daemon pays for opening and
// relocating it and the five libraries it brings (libnftnl, libmnl, libjansson, libgmp, libxtables).

#include <nftables/libnftables.h>

#include <string>

#include "net/expected.hpp"

namespace cisd {

// The entry points the daemon calls, with the types of <nftables/libnftables.h>.
struct NftablesLibrary {
  decltype(&nft_ctx_new) ctx_new;
  decltype(&nft_ctx_free) ctx_free;
  decltype(&nft_ctx_output_set_flags) ctx_output_set_flags;
  decltype(&nft_ctx_buffer_output) ctx_buffer_output;
  decltype(&nft_ctx_buffer_error) ctx_buffer_error;
  decltype(&nft_ctx_get_output_buffer) ctx_get_output_buffer;
  decltype(&nft_ctx_get_error_buffer) ctx_get_error_buffer;
  decltype(&nft_run_cmd_from_buffer) run_cmd_from_buffer;
};

// Loads libnftables.so.1 once (thread-safe) and keeps it loaded; later calls return the same result,
// a failure too: "libnftables.so.1: cannot open shared object file ..." or the missing symbol.
const net::Expected<NftablesLibrary, std::string>& nftables_library();

}  // namespace cisd
