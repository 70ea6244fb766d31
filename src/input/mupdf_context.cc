#include "input/mupdf_context.h"

#include <atomic>
#include <mutex>

namespace pageflow {
namespace {

std::atomic<int64_t> g_store_bytes{64ll << 20};
std::mutex g_locks[FZ_LOCK_MAX];

void LockMutex(void* /*user*/, int lock) { g_locks[lock].lock(); }
void UnlockMutex(void* /*user*/, int lock) { g_locks[lock].unlock(); }

thread_local MupdfWarnings* t_warnings = nullptr;

// MuPDF prints warnings for every repaired xref; our callers report what matters
// themselves (a MupdfWarnings scope collects them).
void QuietWarning(void* /*user*/, const char* message) {
  if (t_warnings != nullptr && message != nullptr) t_warnings->Add(message);
}
void QuietError(void* /*user*/, const char* /*message*/) {}

fz_context* BaseContext() {
  static fz_locks_context locks{nullptr, LockMutex, UnlockMutex};
  static fz_context* base = [] {
    fz_context* ctx = fz_new_context(nullptr, &locks, static_cast<size_t>(g_store_bytes.load()));
    if (ctx == nullptr) return ctx;
    fz_set_warning_callback(ctx, QuietWarning, nullptr);
    fz_set_error_callback(ctx, QuietError, nullptr);
    fz_try(ctx) { fz_register_document_handlers(ctx); }
    fz_catch(ctx) {}
    return ctx;
  }();
  return base;
}

struct ThreadContext {
  fz_context* ctx = nullptr;
  ~ThreadContext() {
    if (ctx != nullptr) fz_drop_context(ctx);
  }
};

}  // namespace

MupdfWarnings::MupdfWarnings() : outer_(t_warnings) {
  if (fz_context* ctx = ThreadMupdfContext()) fz_flush_warnings(ctx);  // not ours
  t_warnings = this;
}

MupdfWarnings::~MupdfWarnings() {
  // Repeated warnings are held back by MuPDF until another one comes: let them out.
  if (fz_context* ctx = ThreadMupdfContext()) fz_flush_warnings(ctx);
  t_warnings = outer_;
}

void MupdfWarnings::Add(const char* message) {
  ++count_;
  if (messages_.size() < kMaxKept) messages_.emplace_back(message);
}

// MuPDF reads a limit of 0 as "unlimited"; here 0 (or less) means no store to speak of.
void SetMupdfStoreBytes(int64_t bytes) { g_store_bytes = bytes > 0 ? bytes : 1; }
int64_t MupdfStoreBytes() { return g_store_bytes.load(); }

fz_context* ThreadMupdfContext() {
  thread_local ThreadContext local;
  if (local.ctx == nullptr) {
    fz_context* base = BaseContext();
    if (base == nullptr) return nullptr;
    local.ctx = fz_clone_context(base);
    if (local.ctx != nullptr) {
      fz_set_warning_callback(local.ctx, QuietWarning, nullptr);
      fz_set_error_callback(local.ctx, QuietError, nullptr);
    }
  }
  return local.ctx;
}

}  // namespace pageflow
