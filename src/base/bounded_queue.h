// BoundedQueue<T>: the only way pipeline stages talk. Push blocks while the queue holds
// `capacity` items (backpressure), Pop blocks while it is empty. Close() lets consumers
// drain what is left and then makes Pop return nullopt; Push after Close returns false.
//
//   BoundedQueue<PageJob> jobs(4);
//   producer: if (!jobs.Push(job)) return;        // closed: stop producing
//   consumer: while (auto job = jobs.Pop()) Work(*job);
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace pageflow {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Returns false (dropping item) if the queue is closed.
  bool Push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!closed_ && items_.size() >= capacity_) {
      ++blocked_producers_;
      not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
      --blocked_producers_;
    }
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Returns nullopt once the queue is closed and drained.
  std::optional<T> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // The next item if there is one now; never waits.
  std::optional<T> TryPop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }
  // Push calls waiting for room right now (for tests and metrics: backpressure seen).
  size_t blocked_producers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return blocked_producers_;
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;           // guarded by mu_; never longer than capacity_
  bool closed_ = false;           // guarded by mu_
  size_t blocked_producers_ = 0;  // guarded by mu_
};

}  // namespace pageflow
