/*
 * libshm — the tiny C shim of statd's shared-memory bus (packages/shm-bus).
 *
 * Only what JavaScript cannot do itself: create/open a POSIX shm object, size it, map/unmap it,
 * unlink it, block on / wake a futex word inside it, and read CLOCK_MONOTONIC. Everything else
 * (layout, rings, membership) is TypeScript over a zero-copy view of the mapping.
 *
 * Conventions: functions return 0 (or a non-negative value) on success and an errno value on
 * failure (negative where the success value is itself a number: fd, size, count). Nothing prints.
 *
 * Segment layout (mirrors packages/shm-bus/src/layout.ts, which is the authority; all offsets are
 * multiples of 64 bytes, every cursor sits alone on its cache line):
 *
 *   0        +----------------------------------------------------------+
 *            | HEADER (256 B)  magic "SHMB" | version (stored last) |     |
 *            |   maxInstances | spscBytes | broadcastBytes | maxRecord  |
 *            |   totalBytes | creator pid + start time | created (ns)   |
 *            |   region offsets | header checksum                       |
 *   256      +----------------------------------------------------------+
 *            | MEMBERS  maxInstances x 128 B                            |
 *            |   line 0: state | generation | pid | startTime | heartbeat|
 *            |   line 1: doorbell (futex word) | sleepers | rung        |
 *            +----------------------------------------------------------+
 *            | SPSC RINGS  one per ordered pair (p -> s), p != s:       |
 *            |   line 0: tail (producer cursor)                         |
 *            |   line 1: head (consumer cursor) | active                 |
 *            |   data: spscBytes (power of two) of 8-aligned records    |
 *            +----------------------------------------------------------+
 *            | BROADCAST RINGS  one per publisher p:                    |
 *            |   line 0: tail                                           |
 *            |   lines 1..maxInstances: head | active, one per subscriber|
 *            |   data: broadcastBytes                                   |
 *            +----------------------------------------------------------+
 *            | COUNTERS  per ring: producer line + one line per cursor   |
 *            |   (records, bytes, full, evictions, wakes / records,     |
 *            |    overruns) as float64, written lazily by their owner   |
 *   total    +----------------------------------------------------------+
 *
 * Record framing in a ring: [int32 length][int32 stamp = cursor position][payload][pad to 8].
 * A negative length is padding to the end of the ring (-length bytes).
 */
#ifndef STATD_LIBSHM_H
#define STATD_LIBSHM_H

#include <stdint.h>

/* Creates /name exclusively (O_CREAT|O_EXCL|O_RDWR), fchmod()s it to `mode` (umask would filter
 * it otherwise), and reserves `size` bytes with posix_fallocate (a full /dev/shm fails here with
 * ENOSPC instead of SIGBUS later). Returns the fd, or -errno (the object is unlinked on failure). */
int shm_create(const char *name, int64_t size, int mode);

/* Opens an existing /name, read-write when `writable`, read-only otherwise. fd or -errno. */
int shm_open_existing(const char *name, int writable);

/* Size of the object behind `fd` (fstat st_size), or -errno. */
int64_t shm_fd_size(int fd);

/* Closes an fd. 0 or errno. */
int shm_close(int fd);

/* Maps `size` bytes of `fd` MAP_SHARED (PROT_READ, plus PROT_WRITE when `writable`), stores the
 * address in *out. 0 or errno. */
int shm_map(int fd, int64_t size, int writable, uint64_t *out);

/* Unmaps. 0 or errno. Any view of the mapping used afterwards is a SIGSEGV: a single owner calls this. */
int shm_unmap(uint64_t addr, int64_t size);

/* shm_unlink(/name). 0 or errno. */
int shm_remove(const char *name);

/* FUTEX_WAIT (shared, NOT the private flag: the word is in a MAP_SHARED segment used by several
 * processes) while *addr == expected, for at most timeout_ns (relative; < 0 waits forever).
 * 0 when woken, ETIMEDOUT, EAGAIN (the value differed), EINTR, or another errno. */
int shm_futex_wait(uint64_t addr, int32_t expected, int64_t timeout_ns);

/* FUTEX_WAKE up to n waiters on addr. Number woken, or -errno. */
int shm_futex_wake(uint64_t addr, int32_t n);

/* clock_gettime(CLOCK_MONOTONIC) in nanoseconds as a double: one clock for all processes (exact to
 * the nanosecond for ~104 days of uptime). Bun's own clocks start at zero in each process. */
double shm_now_ns(void);

#endif
