#include "k8s/object_store.hpp"

#include <gtest/gtest.h>

namespace k8s {
namespace {

Service svc(const char* ns, const char* name, const char* ip, const char* rv = "1") {
  Service s;
  s.meta.namespace_ = ns;
  s.meta.name = name;
  s.meta.resource_version = rv;
  s.cluster_ips.push_back(*net::Address::parse(ip));
  return s;
}

TEST(ObjectStore, FirstListIsAllAdded) {
  ObjectStore<Service> store;
  auto changes = store.replace({svc("a", "x", "10.0.0.1"), svc("a", "y", "10.0.0.2")});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].type, ChangeType::added);
  EXPECT_EQ(changes[0].key, "a/x");
  EXPECT_EQ(store.size(), 2u);
}

TEST(ObjectStore, EraseForgetsAKnownObjectOnly) {
  // What the reflector does with a watch event it cannot decode but can name.
  ObjectStore<Service> store;
  store.replace({svc("a", "x", "10.0.0.1")});
  EXPECT_EQ(store.erase("a/x"), (Change<Service>{ChangeType::deleted, "a/x", svc("a", "x", "10.0.0.1")}));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.erase("a/x"), std::nullopt);
}

TEST(ObjectStore, RelistGivesOnlyTheDifference) {
  ObjectStore<Service> store;
  store.replace({svc("a", "same", "10.0.0.1"), svc("a", "bumped", "10.0.0.2"), svc("a", "changed", "10.0.0.3"),
                 svc("a", "gone", "10.0.0.4")});
  // After a 410 relist: one unchanged, one only with a new resourceVersion, one changed,
  // one deleted while we were away, one new.
  auto changes = store.replace({svc("a", "same", "10.0.0.1"), svc("a", "bumped", "10.0.0.2", "7"),
                                svc("a", "changed", "10.0.0.33", "8"), svc("a", "new", "10.0.0.5", "9")});
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0], (Change<Service>{ChangeType::updated, "a/changed", svc("a", "changed", "10.0.0.33", "8")}));
  EXPECT_EQ(changes[1], (Change<Service>{ChangeType::deleted, "a/gone", svc("a", "gone", "10.0.0.4")}));
  EXPECT_EQ(changes[2], (Change<Service>{ChangeType::added, "a/new", svc("a", "new", "10.0.0.5", "9")}));
  EXPECT_EQ(store.items().at("a/bumped").meta.resource_version, "7");  // newest RV kept silently
  EXPECT_FALSE(store.items().contains("a/gone"));
}

TEST(ObjectStore, EmptyRelistDeletesEverything) {
  ObjectStore<Service> store;
  store.replace({svc("a", "x", "10.0.0.1")});
  auto changes = store.replace({});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].type, ChangeType::deleted);
  EXPECT_EQ(changes[0].object.meta.name, "x");  // the last known object
}

TEST(ObjectStore, WatchEvents) {
  ObjectStore<Service> store;
  auto c = store.apply(WatchEventType::added, svc("a", "x", "10.0.0.1", "2"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, ChangeType::added);
  // A resourceVersion-only modification is no change for the consumer.
  EXPECT_FALSE(store.apply(WatchEventType::modified, svc("a", "x", "10.0.0.1", "3")));
  EXPECT_EQ(store.items().at("a/x").meta.resource_version, "3");
  c = store.apply(WatchEventType::modified, svc("a", "x", "10.0.0.9", "4"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, ChangeType::updated);
  // MODIFIED of an unknown key is an add; ADDED of a known one an update.
  EXPECT_EQ(store.apply(WatchEventType::modified, svc("a", "y", "10.0.0.2"))->type, ChangeType::added);
  EXPECT_EQ(store.apply(WatchEventType::added, svc("a", "y", "10.0.0.3"))->type, ChangeType::updated);
  c = store.apply(WatchEventType::deleted, svc("a", "x", "10.0.0.9", "5"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, ChangeType::deleted);
  EXPECT_FALSE(store.apply(WatchEventType::deleted, svc("a", "nope", "10.0.0.1")));
  EXPECT_FALSE(store.apply(WatchEventType::bookmark, svc("a", "z", "10.0.0.1")));
  EXPECT_EQ(store.size(), 1u);
}

TEST(ObjectStore, CoalescePerBatch) {
  using C = Change<Service>;
  auto a1 = svc("a", "1", "10.0.0.1"), a2 = svc("a", "1", "10.0.0.2");
  auto b1 = svc("a", "2", "10.0.0.3"), b2 = svc("a", "2", "10.0.0.4");
  auto c1 = svc("a", "3", "10.0.0.5"), d1 = svc("a", "4", "10.0.0.6"), d2 = svc("a", "4", "10.0.0.7");
  auto out = coalesce<Service>({
      C{ChangeType::added, "a/1", a1}, C{ChangeType::updated, "a/1", a2},      // added, newest
      C{ChangeType::updated, "a/2", b1}, C{ChangeType::deleted, "a/2", b2},    // deleted
      C{ChangeType::added, "a/3", c1}, C{ChangeType::deleted, "a/3", c1},      // nothing
      C{ChangeType::deleted, "a/4", d1}, C{ChangeType::added, "a/4", d2},      // updated
  });
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (C{ChangeType::added, "a/1", a2}));
  EXPECT_EQ(out[1], (C{ChangeType::deleted, "a/2", b2}));
  EXPECT_EQ(out[2], (C{ChangeType::updated, "a/4", d2}));
}

}  // namespace
}  // namespace k8s
