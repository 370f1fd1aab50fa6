// Decoding with simdjson's On-Demand API: it parses only what we read, which keeps a 10k-item
// list fast. Field lookups are unordered (the API server's field order is not a contract).
#include "k8s/object_decoder.hpp"

#include <simdjson.h>

#include <optional>
#include <stdexcept>

namespace k8s {
namespace {

namespace od = simdjson::ondemand;

// Thrown inside the decoder only, caught at the object boundary and turned into a value.
struct DecodeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(std::string_view path, std::string_view what) {
  throw DecodeFailure(std::string(path) + ": " + std::string(what));
}

void check(simdjson::error_code ec, std::string_view path) {
  if (ec) fail(path, simdjson::error_message(ec));
}

// A field, or nullopt when absent or null (the API omits or nulls empty fields alike).
std::optional<od::value> field(od::object& obj, std::string_view key, std::string_view path) {
  od::value v;
  auto ec = obj.find_field_unordered(key).get(v);
  if (ec == simdjson::NO_SUCH_FIELD) return std::nullopt;
  check(ec, path);
  bool null = false;
  check(v.is_null().get(null), path);
  if (null) return std::nullopt;
  return v;
}

od::object as_object(od::value v, std::string_view path) {
  od::object o;
  check(v.get_object().get(o), path);
  return o;
}

od::array as_array(od::value v, std::string_view path) {
  od::array a;
  check(v.get_array().get(a), path);
  return a;
}

std::string_view as_string(od::value v, std::string_view path) {
  std::string_view s;
  check(v.get_string().get(s), path);
  return s;
}

bool as_bool(od::value v, std::string_view path) {
  bool b = false;
  check(v.get_bool().get(b), path);
  return b;
}

std::string string_field(od::object& obj, std::string_view key, std::string_view path) {
  auto v = field(obj, key, path);
  return v ? std::string(as_string(*v, path)) : std::string();
}

net::Address parse_address(std::string_view text, std::string_view path) {
  auto a = net::Address::parse(text);
  if (!a) fail(path, "invalid IP address \"" + std::string(text) + "\"");
  return *a;
}

std::vector<net::Address> address_array(od::value v, std::string_view path) {
  std::vector<net::Address> out;
  for (auto element : as_array(v, path)) {
    od::value e;
    check(element.get(e), path);
    out.push_back(parse_address(as_string(e, path), path));
  }
  return out;
}

std::map<std::string, std::string> string_map(od::value v, std::string_view path) {
  std::map<std::string, std::string> out;
  for (auto f : as_object(v, path)) {
    std::string_view key;
    check(f.unescaped_key().get(key), path);
    od::value value;
    check(f.value().get(value), path);
    out.emplace(std::string(key), std::string(as_string(value, path)));
  }
  return out;
}

// Fills `m` as it goes, so that when a later field is malformed the caller still knows which
// object it was.
void decode_meta(od::object& root, ObjectMeta& m) {
  auto mv = field(root, "metadata", "metadata");
  if (!mv) fail("metadata", "missing");
  auto obj = as_object(*mv, "metadata");
  for (auto f : obj) {  // one pass over metadata: it holds many fields we skip
    std::string_view key;
    check(f.unescaped_key().get(key), "metadata");
    od::value v;
    check(f.value().get(v), "metadata");
    bool null = false;
    check(v.is_null().get(null), "metadata");
    if (null) continue;
    if (key == "name") m.name = as_string(v, "metadata.name");
    else if (key == "namespace") m.namespace_ = as_string(v, "metadata.namespace");
    else if (key == "uid") m.uid = as_string(v, "metadata.uid");
    else if (key == "resourceVersion") m.resource_version = as_string(v, "metadata.resourceVersion");
    else if (key == "labels") m.labels = string_map(v, "metadata.labels");
    else if (key == "annotations") m.annotations = string_map(v, "metadata.annotations");
  }
}

TrafficPolicy traffic_policy(std::string_view text, std::string_view path) {
  // "Local" and "Cluster"; the pre-1.22 spelling of externalTrafficPolicy is the same words.
  if (text == "Local") return TrafficPolicy::local;
  if (text == "Cluster" || text.empty()) return TrafficPolicy::cluster;
  fail(path, "unknown traffic policy \"" + std::string(text) + "\"");
}

// Each decode_x_body reads everything but the metadata, which the caller has already read.
void decode_service_body(od::object& root, Service& s) {
  if (auto spec_v = field(root, "spec", "spec")) {
    auto spec = as_object(*spec_v, "spec");
    std::string cluster_ip;
    bool have_cluster_ips = false;
    for (auto f : spec) {
      std::string_view key;
      check(f.unescaped_key().get(key), "spec");
      od::value v;
      check(f.value().get(v), "spec");
      bool null = false;
      check(v.is_null().get(null), "spec");
      if (null) continue;
      if (key == "type") {
        s.type = as_string(v, "spec.type");
      } else if (key == "clusterIP") {
        cluster_ip = as_string(v, "spec.clusterIP");
      } else if (key == "clusterIPs") {
        // clusterIPs is authoritative (dual-stack); clusterIP is its first element.
        have_cluster_ips = true;
        s.cluster_ips.clear();
        for (auto element : as_array(v, "spec.clusterIPs")) {
          od::value e;
          check(element.get(e), "spec.clusterIPs");
          auto text = as_string(e, "spec.clusterIPs");
          if (text == "None") s.headless = true;
          else if (!text.empty()) s.cluster_ips.push_back(parse_address(text, "spec.clusterIPs"));
        }
      } else if (key == "externalIPs") {
        s.external_ips = address_array(v, "spec.externalIPs");
      } else if (key == "externalTrafficPolicy") {
        s.external_traffic_policy = traffic_policy(as_string(v, "spec.externalTrafficPolicy"),
                                                   "spec.externalTrafficPolicy");
      } else if (key == "internalTrafficPolicy") {
        s.internal_traffic_policy = traffic_policy(as_string(v, "spec.internalTrafficPolicy"),
                                                   "spec.internalTrafficPolicy");
      }
    }
    if (cluster_ip == "None") {
      s.headless = true;
    } else if (!have_cluster_ips && !cluster_ip.empty()) {
      s.cluster_ips.push_back(parse_address(cluster_ip, "spec.clusterIP"));
    }
    if (s.headless) s.cluster_ips.clear();
  }
  if (auto status_v = field(root, "status", "status")) {
    auto status = as_object(*status_v, "status");
    if (auto lb_v = field(status, "loadBalancer", "status.loadBalancer")) {
      auto lb = as_object(*lb_v, "status.loadBalancer");
      if (auto ingress_v = field(lb, "ingress", "status.loadBalancer.ingress")) {
        for (auto element : as_array(*ingress_v, "status.loadBalancer.ingress")) {
          od::value e;
          check(element.get(e), "status.loadBalancer.ingress");
          auto ingress = as_object(e, "status.loadBalancer.ingress[]");
          // A hostname-only ingress (cloud LBs) has no IP for us to route.
          auto ip = string_field(ingress, "ip", "status.loadBalancer.ingress[].ip");
          if (!ip.empty()) s.load_balancer_ips.push_back(parse_address(ip, "status.loadBalancer.ingress[].ip"));
        }
      }
    }
  }
}

// Returns false for slices we ignore (addressType FQDN).
bool decode_endpointslice_body(od::object& root, EndpointSlice& es) {
  auto it = es.meta.labels.find("kubernetes.io/service-name");
  if (it != es.meta.labels.end()) es.service_name = it->second;
  auto address_type = string_field(root, "addressType", "addressType");
  if (address_type != "IPv4" && address_type != "IPv6") return false;
  auto eps_v = field(root, "endpoints", "endpoints");
  if (!eps_v) return true;
  for (auto element : as_array(*eps_v, "endpoints")) {
    od::value e;
    check(element.get(e), "endpoints");
    auto obj = as_object(e, "endpoints[]");
    EndpointSlice::Endpoint ep;
    std::optional<bool> ready, serving, terminating;
    for (auto f : obj) {
      std::string_view key;
      check(f.unescaped_key().get(key), "endpoints[]");
      od::value v;
      check(f.value().get(v), "endpoints[]");
      bool null = false;
      check(v.is_null().get(null), "endpoints[]");
      if (null) continue;
      if (key == "addresses") {
        ep.addresses = address_array(v, "endpoints[].addresses");
      } else if (key == "nodeName") {
        ep.node_name = as_string(v, "endpoints[].nodeName");
      } else if (key == "conditions") {
        auto c = as_object(v, "endpoints[].conditions");
        if (auto r = field(c, "ready", "endpoints[].conditions.ready")) ready = as_bool(*r, "endpoints[].conditions.ready");
        if (auto r = field(c, "serving", "endpoints[].conditions.serving")) serving = as_bool(*r, "endpoints[].conditions.serving");
        if (auto r = field(c, "terminating", "endpoints[].conditions.terminating")) terminating = as_bool(*r, "endpoints[].conditions.terminating");
      }
    }
    // API docs: a nil ready "should be interpreted as ready"; nil serving means the same as
    // ready; nil terminating means not terminating.
    ep.ready = ready.value_or(true);
    ep.serving = serving.value_or(ep.ready);
    ep.terminating = terminating.value_or(false);
    es.endpoints.push_back(std::move(ep));
  }
  return true;
}

// The condition of `type` in a conditions array: its status string, or nullopt when absent.
std::optional<std::string> condition_status(od::value conditions, std::string_view type, std::string_view path) {
  std::optional<std::string> out;
  for (auto element : as_array(conditions, path)) {
    od::value e;
    check(element.get(e), path);
    auto c = as_object(e, path);
    std::string t, st;
    for (auto f : c) {
      std::string_view key;
      check(f.unescaped_key().get(key), path);
      od::value v;
      check(f.value().get(v), path);
      if (key == "type") t = as_string(v, path);
      else if (key == "status") st = as_string(v, path);
    }
    if (t == type) out = st;
  }
  return out;
}

void decode_node_body(od::object& root, Node& n) {
  if (auto spec_v = field(root, "spec", "spec")) {
    auto spec = as_object(*spec_v, "spec");
    if (auto u = field(spec, "unschedulable", "spec.unschedulable")) n.unschedulable = as_bool(*u, "spec.unschedulable");
  }
  if (auto status_v = field(root, "status", "status")) {
    auto status = as_object(*status_v, "status");
    for (auto f : status) {
      std::string_view key;
      check(f.unescaped_key().get(key), "status");
      od::value v;
      check(f.value().get(v), "status");
      bool null = false;
      check(v.is_null().get(null), "status");
      if (null) continue;
      if (key == "conditions") {
        n.ready = condition_status(v, "Ready", "status.conditions") == "True";
      } else if (key == "addresses") {
        for (auto element : as_array(v, "status.addresses")) {
          od::value e;
          check(element.get(e), "status.addresses");
          auto a = as_object(e, "status.addresses[]");
          std::string type, address;
          for (auto af : a) {
            std::string_view k;
            check(af.unescaped_key().get(k), "status.addresses[]");
            od::value av;
            check(af.value().get(av), "status.addresses[]");
            if (k == "type") type = as_string(av, "status.addresses[].type");
            else if (k == "address") address = as_string(av, "status.addresses[].address");
          }
          if (type == "InternalIP") n.internal_ips.push_back(parse_address(address, "status.addresses[].address"));
        }
      }
    }
  }
}

void decode_servicecidr_body(od::object& root, ServiceCidr& c) {
  if (auto spec_v = field(root, "spec", "spec")) {
    auto spec = as_object(*spec_v, "spec");
    if (auto cidrs = field(spec, "cidrs", "spec.cidrs")) {
      for (auto element : as_array(*cidrs, "spec.cidrs")) {
        od::value e;
        check(element.get(e), "spec.cidrs");
        auto text = as_string(e, "spec.cidrs");
        auto p = net::Prefix::parse(text);
        if (!p) fail("spec.cidrs", "invalid CIDR \"" + std::string(text) + "\"");
        c.cidrs.push_back(*p);
      }
    }
  }
  if (auto status_v = field(root, "status", "status")) {
    auto status = as_object(*status_v, "status");
    if (auto conds = field(status, "conditions", "status.conditions")) {
      auto ready = condition_status(*conds, "Ready", "status.conditions");
      c.ready = !ready || *ready == "True";
    }
  }
}

const char* kind_name(const Service*) { return "Service"; }
const char* kind_name(const EndpointSlice*) { return "EndpointSlice"; }
const char* kind_name(const Node*) { return "Node"; }
const char* kind_name(const ServiceCidr*) { return "ServiceCIDR"; }

bool decode_body(od::object& root, Service& s) { decode_service_body(root, s); return true; }
bool decode_body(od::object& root, EndpointSlice& s) { return decode_endpointslice_body(root, s); }
bool decode_body(od::object& root, Node& s) { decode_node_body(root, s); return true; }
bool decode_body(od::object& root, ServiceCidr& s) { decode_servicecidr_body(root, s); return true; }

// The result of one object: a value, skipped (not for us), or an error naming the object.
enum class ItemOutcome { ok, skipped, failed };

template <typename T>
ItemOutcome decode_item(od::value v, T& out, ObjectError& err) {
  out = T{};
  try {
    auto root = as_object(v, "object");
    decode_meta(root, out.meta);
    err.key = object_key(out.meta);
    return decode_body(root, out) ? ItemOutcome::ok : ItemOutcome::skipped;
  } catch (const DecodeFailure& e) {
    if (err.key.empty() && !out.meta.name.empty()) err.key = object_key(out.meta);
    err.message = std::string(kind_name(static_cast<T*>(nullptr))) + " " +
                  (err.key.empty() ? std::string("(unnamed)") : err.key) + ": " + e.what();
    return ItemOutcome::failed;
  }
}

// On-Demand validates only what it reads, and its unordered field lookup assumes that what it
// skipped was well formed (SIMDJSON_ASSUME: undefined behaviour in a release build otherwise; the
// fuzzer found {"metadata":{"":}}}). So each document is first validated whole by the DOM parser.
// Both parsers are reused for every document (they keep their buffers); everything runs on one
// thread, and list pages are bounded by the reflector's page size.
simdjson::error_code iterate(simdjson::padded_string& padded, od::document& doc) {
  thread_local simdjson::dom::parser validator;
  if (auto ec = validator.parse(padded).error()) return ec;
  thread_local od::parser parser;
  return parser.iterate(padded).get(doc);
}

template <typename T>
net::Expected<T, std::string> decode_one(std::string_view json) {
  simdjson::padded_string padded(json);
  od::document doc;
  if (auto ec = iterate(padded, doc))
    return net::Unexpected(std::string("invalid JSON: ") + simdjson::error_message(ec));
  od::value v;
  if (auto ec = doc.get_value().get(v))
    return net::Unexpected(std::string("invalid JSON: ") + simdjson::error_message(ec));
  T out;
  ObjectError err;
  switch (decode_item(v, out, err)) {
    case ItemOutcome::ok: return out;
    case ItemOutcome::skipped:
      return net::Unexpected(std::string(kind_name(static_cast<T*>(nullptr))) + " " + err.key + ": not an IP slice");
    case ItemOutcome::failed: break;
  }
  return net::Unexpected(err.message);
}

}  // namespace

std::string object_key(const ObjectMeta& meta) {
  return meta.namespace_.empty() ? meta.name : meta.namespace_ + "/" + meta.name;
}

net::Expected<Service, std::string> decode_service(std::string_view json) { return decode_one<Service>(json); }
net::Expected<EndpointSlice, std::string> decode_endpointslice(std::string_view json) { return decode_one<EndpointSlice>(json); }
net::Expected<Node, std::string> decode_node(std::string_view json) { return decode_one<Node>(json); }
net::Expected<ServiceCidr, std::string> decode_servicecidr(std::string_view json) { return decode_one<ServiceCidr>(json); }

template <typename T>
net::Expected<ObjectList<T>, std::string> decode_list(std::string_view json) {
  ObjectList<T> list;
  simdjson::padded_string padded(json);
  try {
    od::document doc;
    check(iterate(padded, doc), "list");
    od::object root;
    check(doc.get_object().get(root), "list");
    bool saw_items = false;
    for (auto f : root) {
      std::string_view key;
      check(f.unescaped_key().get(key), "list");
      od::value v;
      check(f.value().get(v), "list");
      if (key == "metadata") {
        auto meta = as_object(v, "metadata");
        list.resource_version = string_field(meta, "resourceVersion", "metadata.resourceVersion");
        list.continue_token = string_field(meta, "continue", "metadata.continue");
      } else if (key == "items") {
        saw_items = true;
        bool null = false;
        check(v.is_null().get(null), "items");
        if (null) continue;
        for (auto element : as_array(v, "items")) {
          od::value item;
          check(element.get(item), "items");
          T out;
          ObjectError err;
          // A bad field inside one item leaves the iterator able to move to the next item.
          switch (decode_item(item, out, err)) {
            case ItemOutcome::ok: list.items.push_back(std::move(out)); break;
            case ItemOutcome::skipped: break;
            case ItemOutcome::failed: list.errors.push_back(std::move(err)); break;
          }
        }
      }
    }
    if (!saw_items) fail("list", "no items array");
  } catch (const DecodeFailure& e) {
    return net::Unexpected(std::string(kind_name(static_cast<T*>(nullptr))) + " list: " + e.what());
  }
  return list;
}

template <typename T>
net::Expected<WatchEvent<T>, WatchEventError<T>> decode_watch_event(std::string_view line) {
  WatchEvent<T> ev;
  WatchEventError<T> werr;
  simdjson::padded_string padded(line);
  try {
    od::document doc;
    check(iterate(padded, doc), "watch event");
    od::object root;
    check(doc.get_object().get(root), "watch event");
    // "type" normally comes first; if not, the unordered lookup below still finds it.
    auto type = string_field(root, "type", "type");
    if (type == "ADDED") ev.type = WatchEventType::added;
    else if (type == "MODIFIED") ev.type = WatchEventType::modified;
    else if (type == "DELETED") ev.type = WatchEventType::deleted;
    else if (type == "BOOKMARK") ev.type = WatchEventType::bookmark;
    else if (type == "ERROR") ev.type = WatchEventType::error;
    else fail("type", "unknown watch event type \"" + type + "\"");
    auto obj_v = field(root, "object", "object");
    if (!obj_v) fail("object", "missing");
    if (ev.type == WatchEventType::error) {
      auto status = as_object(*obj_v, "object");
      for (auto f : status) {
        std::string_view key;
        check(f.unescaped_key().get(key), "object");
        od::value v;
        check(f.value().get(v), "object");
        if (key == "code") {
          int64_t code = 0;
          check(v.get_int64().get(code), "object.code");
          ev.status_code = static_cast<int>(code);
        } else if (key == "message") {
          ev.status_message = as_string(v, "object.message");
        }
      }
      return ev;
    }
    if (ev.type == WatchEventType::bookmark) {
      // A bookmark carries only metadata.resourceVersion (and kind/apiVersion).
      auto obj = as_object(*obj_v, "object");
      if (auto mv = field(obj, "metadata", "object.metadata")) {
        auto meta = as_object(*mv, "object.metadata");
        ev.resource_version = string_field(meta, "resourceVersion", "object.metadata.resourceVersion");
      }
      return ev;
    }
    switch (decode_item(*obj_v, ev.object, werr.error)) {
      case ItemOutcome::ok:
        ev.resource_version = ev.object.meta.resource_version;
        return ev;
      case ItemOutcome::skipped:
        // Not ours (an FQDN slice): report it as a bookmark so the caller only keeps the RV.
        ev.resource_version = ev.object.meta.resource_version;
        ev.type = WatchEventType::bookmark;
        ev.object = T{};
        return ev;
      case ItemOutcome::failed:
        werr.resource_version = ev.object.meta.resource_version;
        return net::Unexpected(std::move(werr));
    }
  } catch (const DecodeFailure& e) {
    werr.error.message = std::string("watch event: ") + e.what();
  }
  return net::Unexpected(std::move(werr));
}

ApiStatus decode_status(std::string_view json) {
  ApiStatus st;
  simdjson::padded_string padded(json);
  try {
    od::document doc;
    check(iterate(padded, doc), "status");
    od::object root;
    check(doc.get_object().get(root), "status");
    for (auto f : root) {
      std::string_view key;
      check(f.unescaped_key().get(key), "status");
      od::value v;
      check(f.value().get(v), "status");
      if (key == "code") {
        int64_t code = 0;
        if (!v.get_int64().get(code)) st.code = static_cast<int>(code);
      } else if (key == "reason") {
        std::string_view s;
        if (!v.get_string().get(s)) st.reason = s;
      } else if (key == "message") {
        std::string_view s;
        if (!v.get_string().get(s)) st.message = s;
      }
    }
  } catch (const DecodeFailure&) {
    return ApiStatus{};
  }
  return st;
}

net::Expected<std::map<std::string, std::string>, std::string> decode_configmap_data(std::string_view json) {
  simdjson::padded_string padded(json);
  try {
    od::document doc;
    check(iterate(padded, doc), "ConfigMap");
    od::object root;
    check(doc.get_object().get(root), "ConfigMap");
    if (auto data = field(root, "data", "data")) return string_map(*data, "data");
    return std::map<std::string, std::string>{};
  } catch (const DecodeFailure& e) {
    return net::Unexpected(std::string("ConfigMap: ") + e.what());
  }
}

#define K8S_INSTANTIATE(T)                                                                   \
  template net::Expected<ObjectList<T>, std::string> decode_list<T>(std::string_view);       \
  template net::Expected<WatchEvent<T>, WatchEventError<T>> decode_watch_event<T>(std::string_view);
K8S_INSTANTIATE(Service)
K8S_INSTANTIATE(EndpointSlice)
K8S_INSTANTIATE(Node)
K8S_INSTANTIATE(ServiceCidr)
#undef K8S_INSTANTIATE

}  // namespace k8s
