#pragma once
// A list of prefixes that copies share. The static lists may hold 100,000 prefixes; the daemon
// copies its configuration (each source keeps one, the planner keeps the inputs of its last plan)
// and compares it at every event. With the list shared, a copy costs a pointer, and so does the
// comparison while the list is the same one; a reload reads a new list.

#include <initializer_list>
#include <memory>
#include <vector>

#include "net/prefix.hpp"

namespace config {

class PrefixList {
 public:
  using value_type = net::Prefix;
  using const_iterator = std::vector<net::Prefix>::const_iterator;
  using iterator = const_iterator;

  PrefixList() = default;
  PrefixList(std::vector<net::Prefix> prefixes)  // NOLINT: a vector reads as a list
      : list_(prefixes.empty() ? nullptr : std::make_shared<const std::vector<net::Prefix>>(std::move(prefixes))) {}
  PrefixList(std::initializer_list<net::Prefix> prefixes) : PrefixList(std::vector<net::Prefix>(prefixes)) {}

  const std::vector<net::Prefix>& items() const { return list_ ? *list_ : empty_list(); }
  const_iterator begin() const { return items().begin(); }
  const_iterator end() const { return items().end(); }
  std::size_t size() const { return items().size(); }
  bool empty() const { return items().empty(); }
  const net::Prefix& front() const { return items().front(); }
  const net::Prefix& back() const { return items().back(); }

  bool operator==(const PrefixList& o) const { return list_ == o.list_ || items() == o.items(); }
  bool operator==(const std::vector<net::Prefix>& o) const { return items() == o; }

 private:
  static const std::vector<net::Prefix>& empty_list() {
    static const std::vector<net::Prefix> kEmpty;
    return kEmpty;
  }
  std::shared_ptr<const std::vector<net::Prefix>> list_;
};

}  // namespace config
