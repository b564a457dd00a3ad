/* libshm — see shm.h. */
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int slash_name(const char *name, char *out, size_t cap) {
  size_t n = 0;
  if (!name || !name[0]) return EINVAL;
  out[n++] = '/';
  for (const char *p = name; *p; p++) {
    if (*p == '/' || n + 1 >= cap) return EINVAL;
    out[n++] = *p;
  }
  out[n] = 0;
  return 0;
}

int shm_create(const char *name, int64_t size, int mode) {
  char path[256];
  int e = slash_name(name, path, sizeof path);
  if (e) return -e;
  if (size <= 0) return -EINVAL;
  int fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode & 0777);
  if (fd < 0) return -errno;
  if (fchmod(fd, (mode_t)(mode & 0777)) != 0) goto fail_errno;
  if (ftruncate(fd, (off_t)size) != 0) goto fail_errno;
  e = posix_fallocate(fd, 0, (off_t)size); /* returns the error, does not set errno */
  if (e) goto fail;
  return fd;
fail_errno:
  e = errno;
fail:
  close(fd);
  shm_unlink(path);
  return -e;
}

int shm_open_existing(const char *name, int writable) {
  char path[256];
  int e = slash_name(name, path, sizeof path);
  if (e) return -e;
  int fd = shm_open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

int64_t shm_fd_size(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  return (int64_t)st.st_size;
}

int shm_close(int fd) { return close(fd) == 0 ? 0 : errno; }

int shm_map(int fd, int64_t size, int writable, uint64_t *out) {
  if (size <= 0 || !out) return EINVAL;
  void *p = mmap(NULL, (size_t)size, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return errno;
  *out = (uint64_t)(uintptr_t)p;
  return 0;
}

int shm_unmap(uint64_t addr, int64_t size) {
  return munmap((void *)(uintptr_t)addr, (size_t)size) == 0 ? 0 : errno;
}

int shm_remove(const char *name) {
  char path[256];
  int e = slash_name(name, path, sizeof path);
  if (e) return e;
  return shm_unlink(path) == 0 ? 0 : errno;
}

int shm_futex_wait(uint64_t addr, int32_t expected, int64_t timeout_ns) {
  struct timespec ts, *tp = NULL;
  if (timeout_ns >= 0) {
    ts.tv_sec = (time_t)(timeout_ns / 1000000000);
    ts.tv_nsec = (long)(timeout_ns % 1000000000);
    tp = &ts;
  }
  long r = syscall(SYS_futex, (int32_t *)(uintptr_t)addr, FUTEX_WAIT, expected, tp, NULL, 0);
  return r == 0 ? 0 : errno;
}

int shm_futex_wake(uint64_t addr, int32_t n) {
  long r = syscall(SYS_futex, (int32_t *)(uintptr_t)addr, FUTEX_WAKE, n, NULL, NULL, 0);
  return r < 0 ? -errno : (int)r;
}

double shm_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}
