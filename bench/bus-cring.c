/*
 * The native ceiling for bench/bus.ts: the bus's own ring algorithm in C over libshm, between two
 * processes (fork). Same framing as packages/shm-bus (8-byte header [len][stamp], 8-aligned
 * records, padding at the wrap), cached reader cursor, tail published every 64 records, head
 * stored once per batch. Payload copied in with memcpy; the consumer checks a sequence number in
 * every record (bad counts mismatches). Both sides back off like the bus does in bench/bus.ts:
 * after 64 failed checks they nap 10 µs (futex wait with a timeout), which on a busy 2-vCPU box
 * beats spinning by ~4x; latency pacing naps, then spins the last 80 µs.
 *
 *   bus-cring tput SIZE COUNT RING_BYTES   -> {"t0":ns,"t1":ns,"count":N,"bad":B}
 *   bus-cring lat  SIZE COUNT RATE         -> {"p50":ns,"p99":ns,"p999":ns,"count":N,"bad":B}
 *
 * Build: cc -O2 -o libshm/build/bus-cring bench/bus-cring.c libshm/shm.c -lrt
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../libshm/shm.h"

typedef struct {
  _Alignas(64) _Atomic uint32_t tail; /* byte cursors wrap at 2^32: unsigned arithmetic */
  _Alignas(64) _Atomic uint32_t head;
  _Alignas(64) _Atomic int32_t ready;
  _Alignas(64) double t0;
  double t1;
  int64_t bad;
  int64_t count;
} hdr_t;

#define HDR 256

static int32_t nap_word;
static void nap(long us) { shm_futex_wait((uint64_t)(uintptr_t)&nap_word, 0, us * 1000); }

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 5) return 2;
  int lat = strcmp(argv[1], "lat") == 0;
  int size = atoi(argv[2]);
  long count = atol(argv[3]);
  int cap = lat ? (1 << 20) : atoi(argv[4]);
  double rate = lat ? atof(argv[4]) : 0;
  char name[64];
  snprintf(name, sizeof name, "statd-bench-cring-%d", getpid());
  int64_t total = HDR + cap;
  int fd = shm_create(name, total, 0600);
  if (fd < 0) { fprintf(stderr, "shm_create: %d\n", -fd); return 1; }
  uint64_t addr;
  if (shm_map(fd, total, 1, &addr)) return 1;
  shm_close(fd);
  shm_remove(name);
  hdr_t *h = (hdr_t *)(uintptr_t)addr;
  uint8_t *data = (uint8_t *)(uintptr_t)addr + HDR;
  uint32_t mask = cap - 1;
  int rsz = (size + 8 + 7) & ~7;
  double *lats = lat ? malloc(sizeof(double) * count) : NULL;

  pid_t pid = fork();
  if (pid == 0) { /* consumer */
    uint32_t head = 0;
    long n = 0, bad = 0, empty = 0;
    atomic_store(&h->ready, 1);
    while (n < count) {
      uint32_t t = atomic_load_explicit(&h->tail, memory_order_acquire);
      if (t == head) {
        if (!lat && ++empty > 64) nap(10);
        continue;
      }
      empty = 0;
      while (head != t) {
        uint32_t idx = head & mask;
        int32_t len = *(int32_t *)(data + idx);
        if (len < 0) { head += (uint32_t)-len; continue; }
        uint64_t seq;
        memcpy(&seq, data + idx + 8, 8);
        if (seq != (uint64_t)n) bad++;
        if (lat) {
          double ts;
          memcpy(&ts, data + idx + 16, 8);
          lats[n] = shm_now_ns() - ts;
        }
        n++;
        head += (uint32_t)((len + 15) & ~7);
      }
      atomic_store_explicit(&h->head, head, memory_order_release);
    }
    h->t1 = shm_now_ns();
    h->bad = bad;
    h->count = n;
    if (lat) {
      long skip = count / 10, m = count - skip;
      qsort(lats + skip, m, sizeof(double), cmp);
      printf("{\"p50\":%.0f,\"p99\":%.0f,\"p999\":%.0f,\"count\":%ld,\"bad\":%ld}\n", lats[skip + m / 2],
             lats[skip + (long)(m * 0.99)], lats[skip + (long)(m * 0.999)], n, bad);
      fflush(stdout);
    }
    _exit(0);
  }
  while (!atomic_load(&h->ready)) {}
  uint8_t *msg = calloc(1, size < 24 ? 24 : size);
  uint32_t tail = 0, limit = cap;
  int pending = 0;
  double next = shm_now_ns(), gap = lat ? 1e9 / rate : 0;
  h->t0 = shm_now_ns();
  for (long i = 0; i < count; i++) {
    uint32_t idx = tail & mask;
    uint32_t pad = idx + rsz > (uint32_t)cap ? cap - idx : 0;
    for (int k = 0; (int32_t)(tail + pad + rsz - limit) > 0; k++) {
      if (k > 64) nap(10);
      limit = atomic_load_explicit(&h->head, memory_order_acquire) + cap;
    }
    if (pad) { *(int32_t *)(data + idx) = -(int32_t)pad; *(uint32_t *)(data + idx + 4) = tail; tail += pad; idx = 0; }
    uint64_t seq = i;
    memcpy(msg, &seq, 8);
    if (lat) {
      while (shm_now_ns() < next - 80000) nap(20);
      while (shm_now_ns() < next) {}
      next += gap;
      double ts = shm_now_ns();
      memcpy(msg + 8, &ts, 8);
    }
    *(int32_t *)(data + idx) = size;
    *(uint32_t *)(data + idx + 4) = tail;
    memcpy(data + idx + 8, msg, size);
    tail += rsz;
    if (lat || ++pending == 64) { pending = 0; atomic_store_explicit(&h->tail, tail, memory_order_release); }
  }
  atomic_store_explicit(&h->tail, tail, memory_order_release);
  int st;
  waitpid(pid, &st, 0);
  if (!lat) printf("{\"t0\":%.0f,\"t1\":%.0f,\"count\":%ld,\"bad\":%ld}\n", h->t0, h->t1, (long)h->count, (long)h->bad);
  shm_unmap(addr, total);
  return 0;
}
