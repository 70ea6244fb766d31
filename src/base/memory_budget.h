// MemoryBudget: the one byte budget of a process. Every large buffer (page raster,
// engine working set, tile, upload) is allocated only while a Reservation for its bytes
// is held; the Reservation returns them when destroyed.
//
//   MemoryBudget budget(2LL << 30);
//   StatusOr<Reservation> r = budget.Reserve(w * h, "raster of page 3");  // may wait
//   if (r.ok()) { auto pixels = std::make_unique<uint8_t[]>(w * h); ... }
//
// Waiting is FIFO: a large request is not starved by a stream of small ones. A request
// that can never fit (more than limit minus fixed charges) fails at once with
// RESOURCE_EXHAUSTED instead of waiting forever. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pageflow {

class MemoryBudget;

// Move-only claim on budget bytes; releases them on destruction.
class Reservation {
 public:
  Reservation() = default;
  ~Reservation() { Release(); }
  Reservation(Reservation&& other) noexcept { *this = std::move(other); }
  Reservation& operator=(Reservation&& other) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;

  int64_t bytes() const { return bytes_; }
  // Gives back all bytes now.
  void Release();
  // Gives back the bytes above new_bytes (no-op when new_bytes >= bytes()).
  void ShrinkTo(int64_t new_bytes);

 private:
  friend class MemoryBudget;
  Reservation(MemoryBudget* budget, int64_t bytes, bool fixed = false)
      : budget_(budget), bytes_(bytes), fixed_(fixed) {}
  MemoryBudget* budget_ = nullptr;
  int64_t bytes_ = 0;
  bool fixed_ = false;
};

struct MemoryBudgetStats {
  int64_t limit_bytes = 0;
  int64_t reserved_bytes = 0;       // includes fixed charges
  int64_t fixed_bytes = 0;          // permanent charges (models, stores)
  int64_t peak_reserved_bytes = 0;
  int64_t penalty_bytes = 0;        // held back by the governor
  int64_t waits = 0;                // reservations that had to wait
  int64_t waiting = 0;              // reservations waiting right now
  int64_t refusals = 0;             // TryReserve failures + impossible requests
};

class MemoryBudget {
 public:
  explicit MemoryBudget(int64_t limit_bytes);
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Blocks until `bytes` fit, then returns the claim. Fails with RESOURCE_EXHAUSTED if
  // bytes exceed MaxSingleReservation(), CANCELLED once Close() was called.
  StatusOr<Reservation> Reserve(int64_t bytes, std::string_view what);
  // Like Reserve but never waits: RESOURCE_EXHAUSTED when it does not fit now.
  StatusOr<Reservation> TryReserve(int64_t bytes, std::string_view what);
  // Permanent charge for a fixed cost (model weights, a library's cache) measured at
  // load. Fails with RESOURCE_EXHAUSTED, saying what would fit, if it cannot be paid now.
  StatusOr<Reservation> ChargeFixed(int64_t bytes, std::string_view what);

  // The largest request that could ever be granted: limit minus fixed charges.
  int64_t MaxSingleReservation() const;
  // The governor's lever: bytes of real usage not covered by reservations. New
  // reservations must fit under limit - reserved - penalty, except that a request is
  // always granted when no other non-fixed reservation is outstanding (no deadlock).
  void SetPenalty(int64_t bytes);
  // Wakes all waiters with CANCELLED; later Reserve calls fail the same way.
  void Close();

  int64_t limit_bytes() const { return limit_bytes_; }
  MemoryBudgetStats Stats() const;

 private:
  friend class Reservation;
  void Give(int64_t bytes, bool fixed);
  bool FitsLocked(int64_t bytes) const;

  const int64_t limit_bytes_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t reserved_ = 0;  // guarded by mu_
  int64_t fixed_ = 0;     // guarded by mu_
  int64_t peak_ = 0;      // guarded by mu_
  int64_t penalty_ = 0;   // guarded by mu_
  int64_t waits_ = 0;     // guarded by mu_
  int64_t refusals_ = 0;  // guarded by mu_
  bool closed_ = false;   // guarded by mu_
  uint64_t next_ticket_ = 0;          // guarded by mu_
  std::deque<uint64_t> wait_line_;    // guarded by mu_; FIFO of waiting tickets
};

// "2G", "300M", "512k", "1048576" (bytes; K/M/G/T are powers of 1024; optional "iB"/"B").
StatusOr<int64_t> ParseByteSize(std::string_view text);
// 1.5 GiB -> "1.5G", for progress lines and messages.
std::string FormatBytes(int64_t bytes);

}  // namespace pageflow
