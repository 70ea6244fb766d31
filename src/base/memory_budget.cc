#include "base/memory_budget.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

namespace pageflow {

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    Release();
    budget_ = other.budget_;
    bytes_ = other.bytes_;
    fixed_ = other.fixed_;
    other.budget_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

void Reservation::Release() {
  if (budget_ != nullptr && bytes_ > 0) budget_->Give(bytes_, fixed_);
  budget_ = nullptr;
  bytes_ = 0;
}

void Reservation::ShrinkTo(int64_t new_bytes) {
  if (budget_ == nullptr || new_bytes >= bytes_) return;
  new_bytes = std::max<int64_t>(new_bytes, 0);
  budget_->Give(bytes_ - new_bytes, fixed_);
  bytes_ = new_bytes;
}

MemoryBudget::MemoryBudget(int64_t limit_bytes) : limit_bytes_(limit_bytes) {}

int64_t MemoryBudget::MaxSingleReservation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return limit_bytes_ - fixed_;
}

bool MemoryBudget::FitsLocked(int64_t bytes) const {
  if (reserved_ == fixed_) return true;  // nothing else in flight: always progress
  return reserved_ + penalty_ + bytes <= limit_bytes_;
}

StatusOr<Reservation> MemoryBudget::Reserve(int64_t bytes, std::string_view what) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return Cancelled("memory budget closed while reserving for " + std::string(what));
  if (bytes > limit_bytes_ - fixed_) {
    ++refusals_;
    return ResourceExhausted(std::string(what) + " needs " + FormatBytes(bytes) +
                             ", more than the " + FormatBytes(limit_bytes_ - fixed_) +
                             " the memory limit of " + FormatBytes(limit_bytes_) +
                             " leaves after fixed costs");
  }
  if (wait_line_.empty() && FitsLocked(bytes)) {
    reserved_ += bytes;
    peak_ = std::max(peak_, reserved_);
    return Reservation(this, bytes);
  }
  ++waits_;
  const uint64_t ticket = next_ticket_++;
  wait_line_.push_back(ticket);
  cv_.wait(lock, [&] { return closed_ || (wait_line_.front() == ticket && FitsLocked(bytes)); });
  wait_line_.erase(std::find(wait_line_.begin(), wait_line_.end(), ticket));
  cv_.notify_all();  // the next in line may fit too
  if (closed_) return Cancelled("memory budget closed while reserving for " + std::string(what));
  reserved_ += bytes;
  peak_ = std::max(peak_, reserved_);
  return Reservation(this, bytes);
}

StatusOr<Reservation> MemoryBudget::TryReserve(int64_t bytes, std::string_view what) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Cancelled("memory budget closed");
  if (!wait_line_.empty() || reserved_ + penalty_ + bytes > limit_bytes_) {
    ++refusals_;
    return ResourceExhausted(std::string(what) + " needs " + FormatBytes(bytes) + " but only " +
                             FormatBytes(std::max<int64_t>(0, limit_bytes_ - reserved_ - penalty_)) +
                             " of the memory limit is free now");
  }
  reserved_ += bytes;
  peak_ = std::max(peak_, reserved_);
  return Reservation(this, bytes);
}

StatusOr<Reservation> MemoryBudget::ChargeFixed(int64_t bytes, std::string_view what) {
  std::lock_guard<std::mutex> lock(mu_);
  if (reserved_ + bytes > limit_bytes_) {
    ++refusals_;
    return ResourceExhausted(std::string(what) + " needs " + FormatBytes(bytes) +
                             " of fixed memory; with " + FormatBytes(reserved_) +
                             " already charged, --memory-limit must be at least " +
                             FormatBytes(reserved_ + bytes) + " (now " +
                             FormatBytes(limit_bytes_) + ")");
  }
  reserved_ += bytes;
  fixed_ += bytes;
  peak_ = std::max(peak_, reserved_);
  return Reservation(this, bytes, /*fixed=*/true);
}

void MemoryBudget::Give(int64_t bytes, bool fixed) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    reserved_ -= bytes;
    if (fixed) fixed_ -= bytes;
  }
  cv_.notify_all();
}

void MemoryBudget::SetPenalty(int64_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    penalty_ = std::max<int64_t>(0, bytes);
  }
  cv_.notify_all();
}

void MemoryBudget::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

MemoryBudgetStats MemoryBudget::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  MemoryBudgetStats s;
  s.limit_bytes = limit_bytes_;
  s.reserved_bytes = reserved_;
  s.fixed_bytes = fixed_;
  s.peak_reserved_bytes = peak_;
  s.penalty_bytes = penalty_;
  s.waits = waits_;
  s.waiting = static_cast<int64_t>(wait_line_.size());
  s.refusals = refusals_;
  return s;
}

StatusOr<int64_t> ParseByteSize(std::string_view text) {
  std::string s(text);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return InvalidArgument("not a byte size: '" + s + "' (try 2G, 300M, 512K)");
  double value = 0;
  try {
    value = std::stod(s.substr(0, i));
  } catch (...) {
    return InvalidArgument("not a byte size: '" + s + "'");
  }
  std::string unit;
  for (char c : s.substr(i)) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB") mult = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB") mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GIB") mult = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TB" || unit == "TIB") mult = 1024.0 * 1024 * 1024 * 1024;
  else return InvalidArgument("unknown size unit in '" + s + "' (use K, M, G or T)");
  return static_cast<int64_t>(value * mult);
}

std::string FormatBytes(int64_t bytes) {
  const char* units[] = {"B", "K", "M", "G", "T"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (std::abs(v) >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%lldB", static_cast<long long>(bytes));
  else std::snprintf(buf, sizeof buf, v < 10 ? "%.1f%s" : "%.0f%s", v, units[u]);
  return buf;
}

}  // namespace pageflow
