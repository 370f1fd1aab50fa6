// An Asio completion handler can outlive the object that started it: destroying a timer or a
// socket does not drop its pending handlers, it completes them later (operation_aborted) from the
// io_context's queue. A handler wrapped by an owner's AliveGuard does nothing once that owner is
// gone, so owners may be destroyed at any time on their io_context's thread.
#pragma once
#include <memory>
#include <utility>

class AliveGuard {
 public:
  AliveGuard() = default;
  AliveGuard(const AliveGuard&) = delete;
  AliveGuard& operator=(const AliveGuard&) = delete;

  template <typename Handler>
  auto operator()(Handler handler) const {
    return [alive = std::weak_ptr<const char>(token_), handler = std::move(handler)](auto&&... args) mutable {
      if (!alive.expired()) handler(std::forward<decltype(args)>(args)...);
    };
  }

 private:
  std::shared_ptr<const char> token_ = std::make_shared<const char>(0);
};
