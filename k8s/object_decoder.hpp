// JSON from the API server -> the typed objects of objects.hpp. Pure: bytes in, values out.
// A malformed object is an error for that object only; lists keep the good ones.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "k8s/objects.hpp"
#include "net/expected.hpp"

namespace k8s {

// "ns/name" for namespaced objects, "name" for cluster-scoped ones (the client-go convention).
std::string object_key(const ObjectMeta& meta);

// One object that could not be decoded: which one (if its metadata was readable) and why.
struct ObjectError {
  std::string key;  // "ns/name", or "" when even the name was unreadable
  std::string message;
  bool operator==(const ObjectError&) const = default;
};

// One object's JSON (an item of a list, or a GET of a single object).
net::Expected<Service, std::string> decode_service(std::string_view json);
net::Expected<EndpointSlice, std::string> decode_endpointslice(std::string_view json);
net::Expected<Node, std::string> decode_node(std::string_view json);
net::Expected<ServiceCidr, std::string> decode_servicecidr(std::string_view json);

// A list response: {"metadata":{"resourceVersion","continue"},"items":[...]}.
template <typename T>
struct ObjectList {
  std::vector<T> items;
  std::string resource_version;
  std::string continue_token;  // "" on the last page
  std::vector<ObjectError> errors;  // items that were skipped
};

// The error of a whole list (not JSON, no items array) is the Expected's error.
template <typename T>
net::Expected<ObjectList<T>, std::string> decode_list(std::string_view json);

// One line of a watch stream: {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}.
enum class WatchEventType { added, modified, deleted, bookmark, error };

template <typename T>
struct WatchEvent {
  WatchEventType type = WatchEventType::added;
  T object{};                    // for added / modified / deleted
  std::string resource_version;  // object's (or the bookmark's) metadata.resourceVersion
  int status_code = 0;           // for error: the Status object's code (410 = Gone)
  std::string status_message;    // for error: the Status object's message
};

// A line that is not JSON or has an unknown type is an error; so is a malformed object
// (then ObjectError names it, and resource_version, when readable, is still worth keeping).
template <typename T>
struct WatchEventError {
  ObjectError error;
  std::string resource_version;
};

template <typename T>
net::Expected<WatchEvent<T>, WatchEventError<T>> decode_watch_event(std::string_view line);

// A metav1.Status body (error responses): code, reason and message; zeros when not a Status.
struct ApiStatus {
  int code = 0;
  std::string reason;
  std::string message;
};
ApiStatus decode_status(std::string_view json);

// data of a ConfigMap (for kubeadm-config); empty when absent.
net::Expected<std::map<std::string, std::string>, std::string> decode_configmap_data(std::string_view json);

}  // namespace k8s
