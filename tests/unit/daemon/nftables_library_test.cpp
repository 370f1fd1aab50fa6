#include "daemon/nftables_library.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

namespace cisd {
namespace {

// One test, because the order matters: nothing in this binary may have loaded libnftables before.
TEST(NftablesLibrary, LoadedOnFirstUseOnly) {
  EXPECT_EQ(dlopen("libnftables.so.1", RTLD_LAZY | RTLD_NOLOAD), nullptr)
      << "libnftables is loaded at start: something links it instead of going through nftables_library()";
  const auto& lib = nftables_library();
  ASSERT_TRUE(lib) << lib.error();
  void* handle = dlopen("libnftables.so.1", RTLD_LAZY | RTLD_NOLOAD);
  ASSERT_NE(handle, nullptr);
  dlclose(handle);  // drops only the reference NOLOAD added
  nft_ctx* ctx = lib->ctx_new(NFT_CTX_DEFAULT);
  ASSERT_NE(ctx, nullptr);
  lib->ctx_free(ctx);
  EXPECT_EQ(&nftables_library(), &lib) << "loaded once";
}

}  // namespace
}  // namespace cisd
