// The reflector's cache of one resource, and the difference each input makes to it. Pure: the
// list/watch loop feeds it, tests drive it directly.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "k8s/change.hpp"
#include "k8s/object_decoder.hpp"

namespace k8s {

template <typename T>
class ObjectStore {
 public:
  const std::map<std::string, T>& items() const { return items_; }
  std::size_t size() const { return items_.size(); }

  // A complete list replaces the store; only what differs from before is returned, so a relist
  // after 410 Gone or an outage does not replay every object to the consumer.
  std::vector<Change<T>> replace(std::vector<T> listed) {
    std::map<std::string, T> next;
    for (auto& obj : listed) {
      auto key = object_key(obj.meta);
      next.insert_or_assign(std::move(key), std::move(obj));
    }
    std::vector<Change<T>> changes;
    auto old_it = items_.begin();
    auto new_it = next.begin();
    // Both maps are sorted by key: one merge pass.
    while (old_it != items_.end() || new_it != next.end()) {
      if (new_it == next.end() || (old_it != items_.end() && old_it->first < new_it->first)) {
        changes.push_back({ChangeType::deleted, old_it->first, old_it->second});
        ++old_it;
      } else if (old_it == items_.end() || new_it->first < old_it->first) {
        changes.push_back({ChangeType::added, new_it->first, new_it->second});
        ++new_it;
      } else {
        if (!same_content(old_it->second, new_it->second))
          changes.push_back({ChangeType::updated, new_it->first, new_it->second});
        ++old_it;
        ++new_it;
      }
    }
    items_ = std::move(next);
    return changes;
  }

  // One watch event. ADDED for a known key or MODIFIED for an unknown one are taken for what
  // they mean (the object exists now); DELETED of an unknown key changes nothing.
  std::optional<Change<T>> apply(WatchEventType type, T obj) {
    auto key = object_key(obj.meta);
    auto it = items_.find(key);
    if (type == WatchEventType::deleted) return erase(key);
    if (type != WatchEventType::added && type != WatchEventType::modified) return std::nullopt;
    if (it == items_.end()) {
      items_.emplace(key, obj);
      return Change<T>{ChangeType::added, std::move(key), std::move(obj)};
    }
    bool same = same_content(it->second, obj);
    it->second = obj;  // keep the newest resourceVersion even when nothing we use changed
    if (same) return std::nullopt;
    return Change<T>{ChangeType::updated, std::move(key), std::move(obj)};
  }

  // Forgets one object (a watch event for it could not be read): the change, if it was known.
  std::optional<Change<T>> erase(const std::string& key) {
    auto it = items_.find(key);
    if (it == items_.end()) return std::nullopt;
    Change<T> c{ChangeType::deleted, key, std::move(it->second)};
    items_.erase(it);
    return c;
  }

  // Equal apart from metadata.resourceVersion: a Node's heartbeat bumps its resourceVersion
  // every few seconds without touching anything the planner reads.
  static bool same_content(const T& a, const T& b) {
    if (a.meta.resource_version == b.meta.resource_version) return a == b;
    T copy = b;
    copy.meta.resource_version = a.meta.resource_version;
    return a == copy;
  }

 private:
  std::map<std::string, T> items_;
};

// Several changes of one key within one batch become one: what the consumer needs to know
// to go from the state before the batch to the state after it.
template <typename T>
std::vector<Change<T>> coalesce(std::vector<Change<T>> changes) {
  std::vector<Change<T>> out;
  std::map<std::string, std::size_t> index;  // key -> position in out
  for (auto& c : changes) {
    auto it = index.find(c.key);
    if (it == index.end()) {
      index.emplace(c.key, out.size());
      out.push_back(std::move(c));
      continue;
    }
    Change<T>& prev = out[it->second];
    ChangeType first = prev.type;
    if (first == ChangeType::added && c.type == ChangeType::deleted) {
      prev.key.clear();  // never existed as far as the consumer knows: drop below
    } else if (first == ChangeType::added) {
      prev.object = std::move(c.object);  // still added, newest content
    } else if (first == ChangeType::deleted && c.type != ChangeType::deleted) {
      prev.type = ChangeType::updated;
      prev.object = std::move(c.object);
    } else {
      prev.type = c.type;  // updated+updated, updated+deleted
      prev.object = std::move(c.object);
    }
    if (prev.key.empty()) index.erase(it);
  }
  std::erase_if(out, [](const Change<T>& c) { return c.key.empty(); });
  return out;
}

}  // namespace k8s
