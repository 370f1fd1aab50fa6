// libFuzzer target for the config loader: any text must load or be refused with errors, never
// crash; and a config that loads must print (to_yaml) as YAML that loads back to the same config,
// as check-config promises (inline secrets aside: they print redacted).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = config::load_config_string(text, "fuzz.yaml");
  if (!loaded) {
    for (const auto& error : loaded.error())
      if (error.file != "fuzz.yaml" || error.message.empty()) std::abort();
    return 0;
  }
  // to_yaml prints no inline secret, only its length: compare with the secrets kept in files instead.
  for (auto& p : loaded->bgp.peers)
    if (!p.password.empty()) p.password.clear(), p.password_file = "/secret";
  for (auto& i : loaded->ospf.interfaces)
    if (!i.auth.key.empty()) i.auth.key.clear(), i.auth.key_file = "/secret";
  auto again = config::load_config_string(config::to_yaml(*loaded), "printed.yaml");
  if (!again || !(*again == *loaded)) std::abort();
  return 0;
}
