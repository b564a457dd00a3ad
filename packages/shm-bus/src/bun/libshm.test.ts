/**
 * Contract of the C shim through bun:ffi (bun:ffi is experimental upstream: this pins what the
 * bus relies on, symbol by symbol, including the errno conventions).
 */

import { type Pointer, ptr, toArrayBuffer } from "bun:ffi";
import { afterAll, describe, expect, test } from "bun:test";
import { errnoName, libshm, monotonicMs, napSync } from "./libshm.ts";

const L = libshm();
const c = (s: string) => Buffer.from(`${s}\0`);
const name = `statd-test-${process.pid}-libshm`;
afterAll(() => {
  L.shm_remove(c(name));
});

describe("libshm", () => {
  test("create is exclusive, open finds it, fstat says its size, errors come back as errno", () => {
    const fd = L.shm_create(c(name), 8192, 0o600);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(L.shm_fd_size(fd)).toBe(8192);
    expect(L.shm_create(c(name), 8192, 0o600)).toBe(-17); // -EEXIST
    expect(L.shm_close(fd)).toBe(0);
    const fd2 = L.shm_open_existing(c(name), 1);
    expect(fd2).toBeGreaterThanOrEqual(0);
    expect(L.shm_close(fd2)).toBe(0);
    expect(L.shm_open_existing(c(`${name}-missing`), 1)).toBe(-2); // -ENOENT
    expect(L.shm_create(c("a/b"), 4096, 0o600)).toBe(-22); // -EINVAL: no slash inside a name
    expect(L.shm_create(c(`${name}-zero`), 0, 0o600)).toBe(-22);
    expect(L.shm_fd_size(-1)).toBe(-9); // -EBADF
    expect(L.shm_close(-1)).toBe(9);
    expect(errnoName(28)).toBe("ENOSPC");
  });

  test("map, write through the view, unmap; bad arguments are errno", () => {
    const fd = L.shm_open_existing(c(name), 1);
    const out = new BigUint64Array(1);
    const out2 = new BigUint64Array(1);
    expect(L.shm_map(fd, 8192, 1, out)).toBe(0);
    expect(L.shm_map(fd, 8192, 1, out2)).toBe(0); // a second mapping of the same object
    expect(L.shm_map(fd, 0, 1, out)).toBe(22);
    L.shm_close(fd);
    const addr = Number(out[0]);
    const addr2 = Number(out2[0]);
    expect(addr % 4096).toBe(0);
    expect(addr2).not.toBe(addr);
    new Uint8Array(toArrayBuffer(addr as unknown as Pointer, 0, 8192))[4000] = 42;
    expect(new Uint8Array(toArrayBuffer(addr2 as unknown as Pointer, 0, 8192))[4000]).toBe(42);
    expect(L.shm_unmap(addr as unknown as Pointer, 8192)).toBe(0);
    expect(L.shm_unmap(addr2 as unknown as Pointer, 8192)).toBe(0);
    expect(L.shm_remove(c(name))).toBe(0);
    expect(L.shm_remove(c(name))).toBe(2); // ENOENT
  });

  test("futex: EAGAIN when the word differs, ETIMEDOUT after the timeout, wake counts waiters", () => {
    const word = new Int32Array(1);
    word[0] = 5;
    const p = ptr(word);
    expect(L.shm_futex_wait(p, 4, 1_000_000_000)).toBe(11); // EAGAIN: 5 !== 4, no sleep
    const t0 = monotonicMs();
    expect(L.shm_futex_wait(p, 5, 2_000_000)).toBe(110); // ETIMEDOUT
    expect(monotonicMs() - t0).toBeGreaterThanOrEqual(2);
    expect(L.shm_futex_wake(p, 1)).toBe(0); // nobody waits
  });

  test("CLOCK_MONOTONIC never goes back; napSync sleeps at least what it is asked", () => {
    let last = L.shm_now_ns();
    for (let i = 0; i < 1000; i++) {
      const t = L.shm_now_ns();
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
    const t0 = monotonicMs();
    napSync(3000);
    expect(monotonicMs() - t0).toBeGreaterThanOrEqual(3);
  });
});
