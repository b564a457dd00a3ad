/**
 * bun:ffi binding of `libshm/libshm.so` (built by `scripts/bootstrap`; `STATD_LIBSHM` overrides
 * the path). Only this file knows the C signatures; `i64_fast` keeps sizes as numbers (a plain
 * `i64` return is a BigInt and costs 20 ns).
 *
 * @example
 * ```ts
 * import { libshm } from "./libshm.ts";
 * libshm().shm_now_ns(); // CLOCK_MONOTONIC, ns
 * ```
 * @module
 */

import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { existsSync } from "node:fs";

const _symbols = {
  shm_create: { args: [FFIType.cstring, FFIType.i64, FFIType.i32], returns: FFIType.i32 },
  shm_open_existing: { args: [FFIType.cstring, FFIType.i32], returns: FFIType.i32 },
  shm_fd_size: { args: [FFIType.i32], returns: FFIType.i64_fast },
  shm_close: { args: [FFIType.i32], returns: FFIType.i32 },
  shm_map: { args: [FFIType.i32, FFIType.i64, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  shm_unmap: { args: [FFIType.ptr, FFIType.i64], returns: FFIType.i32 },
  shm_remove: { args: [FFIType.cstring], returns: FFIType.i32 },
  shm_futex_wait: { args: [FFIType.ptr, FFIType.i32, FFIType.i64], returns: FFIType.i32 },
  shm_futex_wake: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  shm_now_ns: { args: [], returns: FFIType.f64 },
} as const;

type Lib = ReturnType<typeof dlopen<typeof _symbols>>["symbols"];

let _lib: Lib | undefined;

/** Path of the shared library. */
export function libshmPath(): string {
  return process.env.STATD_LIBSHM ?? new URL("../../../../libshm/libshm.so", import.meta.url).pathname;
}

/** The loaded symbols (loaded on first use; a clear error if the library was not built). */
export function libshm(): Lib {
  if (_lib) return _lib;
  const path = libshmPath();
  if (!existsSync(path)) {
    throw new Error(`libshm not found at ${path}: build it with \`make -C libshm\` (scripts/bootstrap does)`);
  }
  _lib = dlopen(path, _symbols).symbols;
  return _lib;
}

/** CLOCK_MONOTONIC in milliseconds: the same clock in every process (Bun's own clocks are not). */
export function monotonicMs(): number {
  return libshm().shm_now_ns() / 1e6;
}

const _napWord = new Int32Array(1);

/**
 * Sleeps about `us` microseconds without spinning (a futex wait with a timeout on a private
 * word; the kernel adds ~50 µs of timer slack here). Blocks the calling thread: for dedicated
 * producer loops and Workers that must give the CPU away when a ring is full (on a busy
 * 2-vCPU box, backing off instead of spinning was 4x faster for both sides).
 *
 * @example
 * ```ts
 * while (!bus.offer(to, rec)) { bus.flush(); napSync(10); }
 * ```
 */
export function napSync(us: number): void {
  libshm().shm_futex_wait(_napWord as unknown as Pointer, 0, Math.max(0, Math.round(us * 1000)));
}

const _errnames: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  4: "EINTR",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  17: "EEXIST",
  22: "EINVAL",
  24: "EMFILE",
  27: "EFBIG",
  28: "ENOSPC",
  36: "ENAMETOOLONG",
  95: "EOPNOTSUPP",
  110: "ETIMEDOUT",
};

/** Symbolic name of an errno value (`E123` when unknown). */
export function errnoName(errno: number): string {
  return _errnames[errno] ?? `E${errno}`;
}
