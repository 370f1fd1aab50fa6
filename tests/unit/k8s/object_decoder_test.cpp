#include "k8s/object_decoder.hpp"

#include <gtest/gtest.h>

namespace k8s {
namespace {

net::Address ip(const char* s) { return *net::Address::parse(s); }

// Shaped like `kubectl get --raw /api/v1/services`: items carry no kind/apiVersion.
constexpr const char* kServiceList = R"({
  "kind": "ServiceList", "apiVersion": "v1",
  "metadata": {"resourceVersion": "12345", "continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzNDV9"},
  "items": [
    {"metadata": {"name": "kubernetes", "namespace": "default", "uid": "u1", "resourceVersion": "200",
                  "creationTimestamp": "2024-01-01T00:00:00Z", "labels": {"component": "apiserver", "provider": "kubernetes"}},
     "spec": {"ports": [{"name": "https", "protocol": "TCP", "port": 443, "targetPort": 6443}],
              "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "type": "ClusterIP",
              "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
              "internalTrafficPolicy": "Cluster"},
     "status": {"loadBalancer": {}}},
    {"metadata": {"name": "web", "namespace": "shop", "resourceVersion": "201",
                  "annotations": {"clusterip-speaker.io/advertise": "true", "clusterip-speaker.io/communities": "65000:1"}},
     "status": {"loadBalancer": {"ingress": [{"ip": "192.168.1.240", "ipMode": "VIP"}, {"hostname": "lb.example.com"}]}},
     "spec": {"type": "LoadBalancer", "clusterIPs": ["10.96.5.5", "fd00:10:96::5"], "clusterIP": "10.96.5.5",
              "externalIPs": ["203.0.113.7"], "externalTrafficPolicy": "Local", "internalTrafficPolicy": "Local"}},
    {"metadata": {"name": "db", "namespace": "shop", "resourceVersion": "202"},
     "spec": {"clusterIP": "None", "clusterIPs": ["None"], "type": "ClusterIP"}},
    {"metadata": {"name": "legacy", "namespace": "old", "resourceVersion": "203"},
     "spec": {"clusterIP": "10.96.9.9", "type": "NodePort", "externalTrafficPolicy": "Cluster"}}
  ]
})";

TEST(ObjectDecoder, ServiceListFieldsAndRules) {
  auto list = decode_list<Service>(kServiceList);
  ASSERT_TRUE(list) << list.error();
  EXPECT_EQ(list->resource_version, "12345");
  EXPECT_EQ(list->continue_token, "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzNDV9");
  EXPECT_TRUE(list->errors.empty());
  ASSERT_EQ(list->items.size(), 4u);

  const Service& k = list->items[0];
  EXPECT_EQ(k.meta.name, "kubernetes");
  EXPECT_EQ(k.meta.namespace_, "default");
  EXPECT_EQ(k.meta.uid, "u1");
  EXPECT_EQ(k.meta.resource_version, "200");
  EXPECT_EQ(k.meta.labels.at("component"), "apiserver");
  EXPECT_EQ(k.type, "ClusterIP");
  EXPECT_FALSE(k.headless);
  EXPECT_EQ(k.cluster_ips, std::vector<net::Address>{ip("10.96.0.1")});
  EXPECT_TRUE(k.load_balancer_ips.empty());

  const Service& w = list->items[1];
  EXPECT_EQ(object_key(w.meta), "shop/web");
  EXPECT_EQ(w.meta.annotations.at("clusterip-speaker.io/advertise"), "true");
  EXPECT_EQ(w.type, "LoadBalancer");
  EXPECT_EQ(w.cluster_ips, (std::vector<net::Address>{ip("10.96.5.5"), ip("fd00:10:96::5")}));
  EXPECT_EQ(w.external_ips, std::vector<net::Address>{ip("203.0.113.7")});
  EXPECT_EQ(w.load_balancer_ips, std::vector<net::Address>{ip("192.168.1.240")});  // hostname ignored
  EXPECT_EQ(w.external_traffic_policy, TrafficPolicy::local);
  EXPECT_EQ(w.internal_traffic_policy, TrafficPolicy::local);

  const Service& d = list->items[2];
  EXPECT_TRUE(d.headless);
  EXPECT_TRUE(d.cluster_ips.empty());

  const Service& l = list->items[3];  // clusterIP only (no clusterIPs): older API servers
  EXPECT_EQ(l.cluster_ips, std::vector<net::Address>{ip("10.96.9.9")});
  EXPECT_EQ(l.type, "NodePort");
  EXPECT_EQ(l.external_traffic_policy, TrafficPolicy::cluster);
}

TEST(ObjectDecoder, MalformedItemsAreSkippedWithErrors) {
  constexpr const char* json = R"({"metadata":{"resourceVersion":"9"},"items":[
    {"metadata":{"name":"a","namespace":"x"},"spec":{"clusterIP":"10.96.0.10"}},
    {"metadata":{"name":"badip","namespace":"x"},"spec":{"clusterIP":"10.96.0.300","ports":[{"port":1}]}},
    {"metadata":{"name":"badtype","namespace":"x"},"spec":{"clusterIPs":"10.96.0.11","externalIPs":["1.2.3.4"]},"status":{}},
    {"metadata":{"name":"badpolicy","namespace":"x"},"spec":{"externalTrafficPolicy":"Sometimes"}},
    {"metadata":{"name":7}},
    {"metadata":{"name":"b","namespace":"x"},"spec":{"clusterIP":"10.96.0.12"}}
  ]})";
  auto list = decode_list<Service>(json);
  ASSERT_TRUE(list) << list.error();
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[0].meta.name, "a");
  EXPECT_EQ(list->items[1].meta.name, "b");
  EXPECT_EQ(list->items[1].cluster_ips, std::vector<net::Address>{ip("10.96.0.12")});
  ASSERT_EQ(list->errors.size(), 4u);
  EXPECT_EQ(list->errors[0].key, "x/badip");
  EXPECT_NE(list->errors[0].message.find("10.96.0.300"), std::string::npos) << list->errors[0].message;
  EXPECT_NE(list->errors[0].message.find("Service x/badip"), std::string::npos) << list->errors[0].message;
  EXPECT_EQ(list->errors[1].key, "x/badtype");
  EXPECT_NE(list->errors[1].message.find("spec.clusterIPs"), std::string::npos) << list->errors[1].message;
  EXPECT_EQ(list->errors[2].key, "x/badpolicy");
  EXPECT_EQ(list->errors[3].key, "");
}

TEST(ObjectDecoder, MalformedMetadataStillNamesTheObject) {
  constexpr const char* json = R"({"metadata":{"resourceVersion":"9"},"items":[
    {"metadata":{"name":"bad","namespace":"default","annotations":["not","a","map"]},"spec":{}},
    {"metadata":{"name":"good","namespace":"default"},"spec":{"clusterIP":"10.96.0.12"}}
  ]})";
  auto list = decode_list<Service>(json);
  ASSERT_TRUE(list) << list.error();
  ASSERT_EQ(list->items.size(), 1u);
  ASSERT_EQ(list->errors.size(), 1u);
  EXPECT_EQ(list->errors[0].key, "default/bad");
  EXPECT_NE(list->errors[0].message.find("Service default/bad"), std::string::npos) << list->errors[0].message;
}

TEST(ObjectDecoder, WholeListErrors) {
  EXPECT_FALSE(decode_list<Service>("not json"));
  EXPECT_FALSE(decode_list<Service>(R"({"metadata":{}})"));
  EXPECT_FALSE(decode_list<Service>(R"({"metadata":{},"items":[{"metadata":{"name":"a"}})"));  // truncated
  auto empty = decode_list<Service>(R"({"kind":"ServiceList","metadata":{"resourceVersion":"5"},"items":[]})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->items.empty());
  EXPECT_EQ(empty->continue_token, "");
  auto null_items = decode_list<Service>(R"({"metadata":{"resourceVersion":"5"},"items":null})");
  ASSERT_TRUE(null_items);
}

TEST(ObjectDecoder, EndpointSliceConditions) {
  constexpr const char* json = R"({"metadata":{"resourceVersion":"77"},"items":[
    {"metadata":{"name":"web-abc12","namespace":"shop","labels":{"kubernetes.io/service-name":"web",
       "endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io"}},
     "addressType":"IPv4",
     "endpoints":[
       {"addresses":["10.244.1.5"],"conditions":{"ready":true,"serving":true,"terminating":false},
        "nodeName":"node-a","targetRef":{"kind":"Pod","name":"web-1","namespace":"shop"},"zone":"z1"},
       {"addresses":["10.244.2.6"],"conditions":{},"nodeName":"node-b"},
       {"addresses":["10.244.2.7"],"conditions":{"ready":false,"serving":true,"terminating":true},"nodeName":"node-b"},
       {"addresses":["10.244.2.8"],"conditions":{"ready":false},"nodeName":"node-c"},
       {"addresses":["10.244.2.9"]}
     ],
     "ports":[{"name":"http","port":8080,"protocol":"TCP"}]},
    {"metadata":{"name":"ext-fqdn","namespace":"shop"},"addressType":"FQDN","endpoints":[{"addresses":["example.com"]}]},
    {"metadata":{"name":"web6-x","namespace":"shop","labels":{"kubernetes.io/service-name":"web"}},
     "addressType":"IPv6","endpoints":null}
  ]})";
  auto list = decode_list<EndpointSlice>(json);
  ASSERT_TRUE(list) << list.error();
  EXPECT_TRUE(list->errors.empty());
  ASSERT_EQ(list->items.size(), 2u);  // the FQDN slice is not ours
  const auto& s = list->items[0];
  EXPECT_EQ(s.service_name, "web");
  ASSERT_EQ(s.endpoints.size(), 5u);
  EXPECT_EQ(s.endpoints[0], (EndpointSlice::Endpoint{{ip("10.244.1.5")}, true, true, false, "node-a"}));
  EXPECT_EQ(s.endpoints[1], (EndpointSlice::Endpoint{{ip("10.244.2.6")}, true, true, false, "node-b"}));
  EXPECT_EQ(s.endpoints[2], (EndpointSlice::Endpoint{{ip("10.244.2.7")}, false, true, true, "node-b"}));
  EXPECT_EQ(s.endpoints[3], (EndpointSlice::Endpoint{{ip("10.244.2.8")}, false, false, false, "node-c"}));
  EXPECT_EQ(s.endpoints[4], (EndpointSlice::Endpoint{{ip("10.244.2.9")}, true, true, false, ""}));
  EXPECT_TRUE(list->items[1].endpoints.empty());
}

TEST(ObjectDecoder, Node) {
  auto n = decode_node(R"({"kind":"Node","apiVersion":"v1",
    "metadata":{"name":"node-a","resourceVersion":"9","labels":{"kubernetes.io/hostname":"node-a"}},
    "spec":{"podCIDR":"10.244.0.0/24","unschedulable":true,"taints":[{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"}]},
    "status":{"conditions":[
       {"type":"MemoryPressure","status":"False","reason":"KubeletHasSufficientMemory"},
       {"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"2024-01-01T00:00:00Z"}],
     "addresses":[{"type":"InternalIP","address":"192.168.1.10"},{"type":"Hostname","address":"node-a"},
                  {"type":"InternalIP","address":"fd00::10"}]}})");
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(object_key(n->meta), "node-a");
  EXPECT_TRUE(n->ready);
  EXPECT_TRUE(n->unschedulable);
  EXPECT_EQ(n->internal_ips, (std::vector<net::Address>{ip("192.168.1.10"), ip("fd00::10")}));

  auto nr = decode_node(R"({"metadata":{"name":"b"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})");
  ASSERT_TRUE(nr);
  EXPECT_FALSE(nr->ready);
  EXPECT_FALSE(nr->unschedulable);
  auto bad = decode_node(R"({"metadata":{"name":"c"},"status":{"addresses":[{"type":"InternalIP","address":"node-c"}]}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("Node c"), std::string::npos) << bad.error();
}

TEST(ObjectDecoder, ServiceCidr) {
  auto c = decode_servicecidr(R"({"apiVersion":"networking.k8s.io/v1","kind":"ServiceCIDR",
    "metadata":{"name":"kubernetes","resourceVersion":"1"},
    "spec":{"cidrs":["10.96.0.0/12","fd00:10:96::/112"]},
    "status":{"conditions":[{"type":"Ready","status":"True","reason":""}]}})");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->cidrs, (std::vector<net::Prefix>{*net::Prefix::parse("10.96.0.0/12"), *net::Prefix::parse("fd00:10:96::/112")}));
  EXPECT_TRUE(c->ready);
  auto bad = decode_servicecidr(R"({"metadata":{"name":"x"},"spec":{"cidrs":["10.96.0.1/12"]}})");
  EXPECT_FALSE(bad);
}

TEST(ObjectDecoder, SingleObjectErrors) {
  EXPECT_FALSE(decode_service("[]"));
  EXPECT_FALSE(decode_service("{"));
  EXPECT_FALSE(decode_service(R"({"spec":{}})"));  // no metadata
  auto s = decode_service(R"({"metadata":{"name":"s","namespace":"n","labels":null},"spec":{"clusterIP":"10.0.0.1","externalIPs":null}})");
  ASSERT_TRUE(s) << s.error();
}

TEST(ObjectDecoder, WatchEvents) {
  auto added = decode_watch_event<Service>(
      R"({"type":"ADDED","object":{"kind":"Service","apiVersion":"v1","metadata":{"name":"a","namespace":"n","resourceVersion":"301"},"spec":{"clusterIP":"10.96.1.1"}}})");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->type, WatchEventType::added);
  EXPECT_EQ(added->resource_version, "301");
  EXPECT_EQ(added->object.cluster_ips, std::vector<net::Address>{ip("10.96.1.1")});

  // Field order is not a contract: object before type.
  auto mod = decode_watch_event<Service>(R"({"object":{"metadata":{"name":"a","namespace":"n","resourceVersion":"302"}},"type":"MODIFIED"})");
  ASSERT_TRUE(mod);
  EXPECT_EQ(mod->type, WatchEventType::modified);
  EXPECT_EQ(mod->resource_version, "302");

  auto del = decode_watch_event<Service>(R"({"type":"DELETED","object":{"metadata":{"name":"a","namespace":"n","resourceVersion":"303"}}})");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->type, WatchEventType::deleted);

  auto bm = decode_watch_event<Service>(R"({"type":"BOOKMARK","object":{"kind":"Service","apiVersion":"v1","metadata":{"resourceVersion":"400","annotations":{"k8s.io/initial-events-end":"true"}},"spec":{}}})");
  ASSERT_TRUE(bm);
  EXPECT_EQ(bm->type, WatchEventType::bookmark);
  EXPECT_EQ(bm->resource_version, "400");

  auto gone = decode_watch_event<Service>(R"J({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (300)","reason":"Expired","code":410}})J");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->type, WatchEventType::error);
  EXPECT_EQ(gone->status_code, 410);
  EXPECT_EQ(gone->status_message, "too old resource version: 1 (300)");

  auto bad = decode_watch_event<Service>(R"({"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"n","resourceVersion":"304"},"spec":{"clusterIP":"x"}}})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().error.key, "n/a");
  EXPECT_EQ(bad.error().resource_version, "304");

  EXPECT_FALSE(decode_watch_event<Service>(R"({"type":"WHATEVER","object":{}})"));
  EXPECT_FALSE(decode_watch_event<Service>("garbage"));

  auto fqdn = decode_watch_event<EndpointSlice>(R"({"type":"ADDED","object":{"metadata":{"name":"f","namespace":"n","resourceVersion":"9"},"addressType":"FQDN"}})");
  ASSERT_TRUE(fqdn);
  EXPECT_EQ(fqdn->type, WatchEventType::bookmark);
  EXPECT_EQ(fqdn->resource_version, "9");
}

TEST(ObjectDecoder, StatusAndConfigMap) {
  auto st = decode_status(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Service \"x\" is invalid: spec.clusterIPs: Invalid value: []string{\"203.0.113.254\"}: failed to allocate IP 203.0.113.254: provided IP (203.0.113.254) is not in the valid range. The range of valid IPs is 10.96.0.0/12","reason":"Invalid","details":{"name":"x","kind":"Service","causes":[]},"code":422})");
  EXPECT_EQ(st.code, 422);
  EXPECT_EQ(st.reason, "Invalid");
  EXPECT_NE(st.message.find("10.96.0.0/12"), std::string::npos);
  EXPECT_EQ(decode_status("nope").code, 0);

  auto data = decode_configmap_data(R"({"kind":"ConfigMap","metadata":{"name":"kubeadm-config","namespace":"kube-system"},"data":{"ClusterConfiguration":"apiVersion: kubeadm.k8s.io/v1beta3\nnetworking:\n  serviceSubnet: 10.96.0.0/12\n"}})");
  ASSERT_TRUE(data);
  EXPECT_NE(data->at("ClusterConfiguration").find("serviceSubnet"), std::string::npos);
}

TEST(ObjectDecoder, LargeListDecodes) {
  // 10k Services in one list: a smoke test that size is no problem (benchmarks live in bench/).
  std::string json = R"({"metadata":{"resourceVersion":"1"},"items":[)";
  for (int i = 0; i < 10000; ++i) {
    if (i) json += ',';
    json += R"({"metadata":{"name":"svc-)" + std::to_string(i) +
            R"(","namespace":"ns","resourceVersion":"1","labels":{"app":"x"}},"spec":{"type":"ClusterIP","clusterIP":"10.96.)" +
            std::to_string(i / 250) + "." + std::to_string(i % 250) + R"(","ports":[{"port":80,"targetPort":8080,"protocol":"TCP"}]},"status":{"loadBalancer":{}}})";
  }
  json += "]}";
  auto list = decode_list<Service>(json);
  ASSERT_TRUE(list) << list.error();
  EXPECT_EQ(list->items.size(), 10000u);
}

// Fuzzer finding (k8s_decode_fuzz): a value missing inside an object that the decoder skips left
// simdjson's On-Demand iterator in a state its unordered lookup assumes impossible (undefined
// behaviour in a release build). Syntactically broken documents are now refused as a whole.
TEST(ObjectDecoder, FuzzMissingValueInSkippedFieldIsInvalidJson) {
  constexpr const char* crash = R"({"metadata":{"":}}})";
  auto service = decode_service(crash);
  ASSERT_FALSE(service);
  EXPECT_NE(service.error().find("invalid JSON"), std::string::npos) << service.error();
  EXPECT_FALSE(decode_endpointslice(crash));
  EXPECT_FALSE(decode_node(crash));
  EXPECT_FALSE(decode_servicecidr(crash));
  EXPECT_FALSE(decode_list<Service>(R"({"metadata":{},"items":[{"metadata":{"name":"a","x":}},"spec":{}}]})"));
  EXPECT_FALSE(decode_watch_event<Node>(R"({"type":"ADDED","object":{"metadata":{"":}}}})"));
  EXPECT_EQ(decode_status(R"({"metadata":{"":}},"code":410})").code, 0);
  EXPECT_FALSE(decode_configmap_data(R"({"metadata":{"":}},"data":{}})"));
}

}  // namespace
}  // namespace k8s
