#include "input/mupdf_context.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>

#include "input/document.h"

namespace pageflow {
namespace {

// MuPDF's allocations, counted per thread. Each block carries a header naming the
// account it was charged to, so a block freed on another thread (the shared resource
// store evicts anywhere) is credited back where it was charged. Accounts live as long
// as the process (one small object per thread that ever used MuPDF).
struct MupdfAccount {
  std::atomic<int64_t> used{0};
  std::atomic<int64_t> limit{kIdlePdfLibraryBytes};
};

struct alignas(16) BlockHeader {
  MupdfAccount* account;
  size_t size;
};
static_assert(sizeof(BlockHeader) == 16, "keeps MuPDF's blocks 16-byte aligned");

MupdfAccount& ThreadAccount() {
  thread_local MupdfAccount* account = new MupdfAccount;  // never freed, see above
  return *account;
}

// A refused request is remembered until MuPDF gets the same size on its retry (it
// empties its store and retries after a failed allocation), so only a failure MuPDF
// could not get around is reported.
thread_local size_t t_refused = 0;
thread_local int64_t t_allowance = 0;  // the innermost PdfLibraryAllowance's bytes

bool Charge(MupdfAccount& account, size_t size) {
  const int64_t bytes = static_cast<int64_t>(size);
  if (account.used.fetch_add(bytes) + bytes > account.limit.load()) {
    account.used.fetch_sub(bytes);
    t_refused = size;
    return false;
  }
  if (t_refused == size) t_refused = 0;
  return true;
}

void* CountedMalloc(void* /*user*/, size_t size) {
  MupdfAccount& account = ThreadAccount();
  if (size > (SIZE_MAX >> 1) || !Charge(account, size)) return nullptr;
  auto* header = static_cast<BlockHeader*>(std::malloc(sizeof(BlockHeader) + size));
  if (header == nullptr) {
    account.used.fetch_sub(static_cast<int64_t>(size));
    return nullptr;
  }
  header->account = &account;
  header->size = size;
  return header + 1;
}

void CountedFree(void* /*user*/, void* block) {
  if (block == nullptr) return;
  BlockHeader* header = static_cast<BlockHeader*>(block) - 1;
  header->account->used.fetch_sub(static_cast<int64_t>(header->size));
  std::free(header);
}

// A grown block is charged in full to the growing thread (and its old size credited
// back to the account that held it).
void* CountedRealloc(void* user, void* block, size_t size) {
  if (block == nullptr) return CountedMalloc(user, size);
  if (size == 0) {
    CountedFree(user, block);
    return nullptr;
  }
  BlockHeader* header = static_cast<BlockHeader*>(block) - 1;
  MupdfAccount& account = ThreadAccount();
  MupdfAccount* old_account = header->account;
  const size_t old_size = header->size;
  if (size > (SIZE_MAX >> 1)) return nullptr;
  if (old_account == &account) {
    if (size > old_size && !Charge(account, size - old_size)) {
      t_refused = size;
      return nullptr;
    }
    if (size <= old_size) account.used.fetch_sub(static_cast<int64_t>(old_size - size));
  } else if (!Charge(account, size)) {
    t_refused = size;
    return nullptr;
  }
  auto* grown =
      static_cast<BlockHeader*>(std::realloc(header, sizeof(BlockHeader) + size));
  if (grown == nullptr) {  // the old block is intact: undo the new charge
    if (old_account == &account) {
      if (size > old_size) account.used.fetch_sub(static_cast<int64_t>(size - old_size));
      if (size < old_size) account.used.fetch_add(static_cast<int64_t>(old_size - size));
    } else {
      account.used.fetch_sub(static_cast<int64_t>(size));
    }
    return nullptr;
  }
  if (old_account != &account)
    old_account->used.fetch_sub(static_cast<int64_t>(old_size));
  if (t_refused == size) t_refused = 0;
  grown->account = &account;
  grown->size = size;
  return grown + 1;
}

fz_alloc_context g_alloc{nullptr, CountedMalloc, CountedRealloc, CountedFree};

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
    fz_context* ctx =
        fz_new_context(&g_alloc, &locks, static_cast<size_t>(g_store_bytes.load()));
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

static thread_local ThreadContext t_context;

bool UseOwnMupdfContext(int64_t store_bytes) {
  if (t_context.ctx != nullptr) return false;
  // No locks: only this thread uses the context and what it loads. The allocator is
  // shared (and thread-safe): this thread's MuPDF memory is counted as before.
  fz_context* ctx = fz_new_context(
      &g_alloc, nullptr, static_cast<size_t>(std::max<int64_t>(1, store_bytes)));
  if (ctx == nullptr) return false;
  fz_set_warning_callback(ctx, QuietWarning, nullptr);
  fz_set_error_callback(ctx, QuietError, nullptr);
  fz_try(ctx) { fz_register_document_handlers(ctx); }
  fz_catch(ctx) {}
  t_context.ctx = ctx;
  return true;
}

fz_context* ThreadMupdfContext() {
  ThreadContext& local = t_context;
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

int64_t ThreadMupdfLimit() { return ThreadAccount().limit.load(); }
int64_t ThreadMupdfBytes() { return ThreadAccount().used.load(); }
int64_t ThreadMupdfAllowance() {
  return t_allowance > 0 ? t_allowance : kIdlePdfLibraryBytes;
}
int64_t ThreadMupdfRefusedBytes() { return static_cast<int64_t>(t_refused); }
void ClearMupdfRefusal() { t_refused = 0; }

int64_t PdfLibraryBytesFor(int64_t left_bytes) {
  return std::min(kMaxPdfLibraryBytes, std::max(kMinPdfLibraryBytes, left_bytes));
}

// Relative to what the thread's blocks hold already: those are cached in the store (paid
// by its fixed charge, and emptied by MuPDF when an allocation fails) or belong to the
// open document, not to this page.
PdfLibraryAllowance::PdfLibraryAllowance(int64_t bytes)
    : previous_(ThreadAccount().limit.exchange(ThreadAccount().used.load() + bytes)),
      previous_allowance_(t_allowance) {
  t_allowance = bytes;
  ClearMupdfRefusal();
}

PdfLibraryAllowance::~PdfLibraryAllowance() {
  ThreadAccount().limit.store(previous_);
  t_allowance = previous_allowance_;
}

}  // namespace pageflow
