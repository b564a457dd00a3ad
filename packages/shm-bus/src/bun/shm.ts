/**
 * A POSIX shared-memory object mapped into this process, as a zero-copy ArrayBuffer
 * (`toArrayBuffer` over the mapping, no deallocator: the mapping is owned by this object, never by
 * a view). Creation is exclusive (O_EXCL), then fchmod 0600 and posix_fallocate (so a full
 * /dev/shm fails here with ENOSPC, not later with SIGBUS).
 *
 * Rules: one owner unmaps (`close()`), and only when no view is in use any more (a view used
 * after munmap is a SIGSEGV); never unlink a segment others still map (the next opener would
 * create a second one).
 *
 * @example
 * ```ts
 * const m = SharedMemory.create("statd-demo", 1 << 20);
 * new Uint8Array(m.buffer)[0] = 1;
 * m.close(); m.unlink();
 * ```
 * @module
 */
import { type Pointer, toArrayBuffer } from "bun:ffi";
import { errnoName, libshm } from "./libshm.ts";

/** A failed libshm call, with the errno and its symbolic name. */
export class ShmError extends Error {
  override name = "ShmError";
  /** errno value. */
  readonly errno: number;
  /** Symbolic errno (`ENOENT`, `EEXIST`, ...). */
  readonly code: string;
  constructor(what: string, errno: number) {
    super(`${what}: ${errnoName(errno)} (errno ${errno})`);
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Throws a TypeError unless `name` is a valid segment name: 1–64 of `[A-Za-z0-9._-]`, not `.` or `..`.
 *
 * @example
 * ```ts
 * validateName("statd-prod"); // ok
 * validateName("../etc");     // throws
 * ```
 */
export function validateName(name: string): void {
  if (typeof name !== "string" || !NAME_RE.test(name) || name === "." || name === "..") {
    throw new TypeError(
      `invalid shm segment name ${JSON.stringify(name)}: use 1-64 characters of [A-Za-z0-9._-] (not "." or "..")`,
    );
  }
}

const _cstr = (s: string) => Buffer.from(`${s}\0`);

/**
 * A mapped shared-memory object.
 *
 * @example
 * ```ts
 * const m = SharedMemory.open("statd-demo", { writable: false });
 * m.size; // bytes
 * ```
 */
export class SharedMemory {
  /** Segment name (without the leading slash). */
  readonly name: string;
  /** Mapped size in bytes. */
  readonly size: number;
  /** Address of the mapping (pass this, not the buffer, to Workers). */
  readonly ptr: number;
  /** Zero-copy view of the whole mapping. */
  readonly buffer: ArrayBuffer;
  /** Mapped read-write. */
  readonly writable: boolean;
  private _mapped = true;

  private constructor(name: string, size: number, ptr: number, writable: boolean) {
    this.name = name;
    this.size = size;
    this.ptr = ptr;
    this.writable = writable;
    this.buffer = toArrayBuffer(ptr as unknown as Pointer, 0, size);
  }

  /** Creates `name` exclusively with `size` bytes (zeroed) and maps it read-write. */
  static create(name: string, size: number, options: { mode?: number } = {}): SharedMemory {
    validateName(name);
    if (!(Number.isInteger(size) && size > 0))
      throw new RangeError(`size must be a positive integer, got ${size}`);
    const L = libshm();
    const fd = L.shm_create(_cstr(name), size, options.mode ?? 0o600);
    if (fd < 0) throw new ShmError(`cannot create shm segment "${name}" (${size} bytes)`, -fd);
    return SharedMemory._map(name, fd, size, true, true);
  }

  /** Opens an existing `name` and maps all of it (read-only unless `writable`, default true). */
  static open(name: string, options: { writable?: boolean } = {}): SharedMemory {
    validateName(name);
    const writable = options.writable ?? true;
    const L = libshm();
    const fd = L.shm_open_existing(_cstr(name), writable ? 1 : 0);
    if (fd < 0) throw new ShmError(`cannot open shm segment "${name}"`, -fd);
    const size = L.shm_fd_size(fd) as number;
    if (size < 0) {
      L.shm_close(fd);
      throw new ShmError(`cannot stat shm segment "${name}"`, -size);
    }
    if (size === 0) {
      L.shm_close(fd);
      throw new ShmError(`shm segment "${name}" is empty (0 bytes)`, 22);
    }
    return SharedMemory._map(name, fd, size, writable, false);
  }

  private static _map(
    name: string,
    fd: number,
    size: number,
    writable: boolean,
    created: boolean,
  ): SharedMemory {
    const L = libshm();
    const out = new BigUint64Array(1);
    const e = L.shm_map(fd, size, writable ? 1 : 0, out);
    L.shm_close(fd); // the mapping keeps the object alive
    if (e !== 0) {
      if (created) L.shm_remove(_cstr(name));
      throw new ShmError(`cannot map shm segment "${name}" (${size} bytes)`, e);
    }
    return new SharedMemory(name, size, Number(out[0]), writable);
  }

  /** Still mapped. */
  get mapped(): boolean {
    return this._mapped;
  }

  /** Unmaps (idempotent). Every view of `buffer` is invalid afterwards. */
  close(): void {
    if (!this._mapped) return;
    this._mapped = false;
    const e = libshm().shm_unmap(this.ptr as unknown as Pointer, this.size);
    if (e !== 0) throw new ShmError(`cannot unmap shm segment "${this.name}"`, e);
  }

  /** Removes the name (mappings stay valid). False if it was already gone. */
  unlink(): boolean {
    return unlinkSegment(this.name);
  }
}

/** Removes segment `name`; false if it did not exist. */
export function unlinkSegment(name: string): boolean {
  validateName(name);
  const e = libshm().shm_remove(_cstr(name));
  if (e === 0) return true;
  if (e === 2) return false;
  throw new ShmError(`cannot unlink shm segment "${name}"`, e);
}
