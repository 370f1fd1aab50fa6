// libFuzzer target for the Kubernetes object decoding: every decoder of k8s/object_decoder.hpp
// reads the same bytes, since an API server (or a man in the middle of a misconfigured one) can
// send any of them anything. Crashes, sanitizer reports and uncaught exceptions are findings.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "k8s/object_decoder.hpp"

namespace {

template <typename T>
void decode_as(std::string_view json) {
  (void)k8s::decode_list<T>(json);
  (void)k8s::decode_watch_event<T>(json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);

  (void)k8s::decode_service(json);
  (void)k8s::decode_endpointslice(json);
  (void)k8s::decode_node(json);
  (void)k8s::decode_servicecidr(json);
  decode_as<k8s::Service>(json);
  decode_as<k8s::EndpointSlice>(json);
  decode_as<k8s::Node>(json);
  decode_as<k8s::ServiceCidr>(json);

  (void)k8s::decode_status(json);
  (void)k8s::decode_configmap_data(json);
  return 0;
}
