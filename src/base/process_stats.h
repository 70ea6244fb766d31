// Facts about this process and machine that the memory contract needs: resident set
// size now and at peak, physical RAM, the cgroup's memory limit and usage.
//
//   int64_t rss = CurrentRssBytes();
//   int64_t limit = DefaultMemoryLimitBytes();  // half of min(RAM, cgroup limit)
#pragma once

#include <cstdint>

namespace pageflow {

int64_t CurrentRssBytes();  // 0 if /proc is unavailable
int64_t PeakRssBytes();     // VmHWM: the kernel's high-water mark of RSS
int64_t PhysicalMemoryBytes();
// The cgroup (v2 or v1) memory limit, or 0 when there is none.
int64_t CgroupMemoryLimitBytes();
// Half of the smaller of physical RAM and the cgroup limit.
int64_t DefaultMemoryLimitBytes();
// CPU seconds the calling thread has used (CLOCK_THREAD_CPUTIME_ID).
double ThreadCpuSeconds();
// Returns freed heap pages to the OS (malloc_trim).
void TrimHeap();
// Sets the allocator up for page-sized buffers: from kHeapMmapThresholdBytes up they are
// mapped on their own and unmapped when freed. glibc's threshold otherwise rises to the
// largest block freed so far (up to 32 MiB): after the first page, every page image and
// large scratch buffer comes from the heap arenas and leaves holes there that only the
// heaviest page fills. Call once at start, before threads.
void ConfigureHeap();
inline constexpr int kHeapMmapThresholdBytes = 256 << 10;

}  // namespace pageflow
