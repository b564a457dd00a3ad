/**
 * A binary codec for object graphs: what a checkpoint writes of a partition's state
 * (docs/checkpoints.md, "What is saved"). It keeps what JSON and structured clone lose:
 * shared references and cycles (each object is written once, later meetings are references),
 * class instances (by a registered name, restored on the class's prototype), `Map`, `Set`, typed
 * arrays, `undefined`, `-0`, `NaN` and ±∞, frozen objects. What it cannot write is named
 * instead: an object or function registered as an **external** (the config, a clock, a compiled
 * filter, a module constant compared by identity) is written as its name and resolved against
 * the externals given to {@link decodeGraph}, so a restored state points at the objects of the
 * process that restores it. A function or a class that is neither registered nor external is an
 * error: nothing is silently dropped.
 *
 * Layout: `"SGR1"`, then one value. Value tags are in `_T`; strings are interned (a repeated
 * string is its index); numbers that are int32 take 4 bytes, others 8.
 *
 * @example
 * ```ts
 * const classes = { Point };
 * const bytes = encodeGraph(state, { classes, externals: new Map([[config, "config"]]) });
 * const back = decodeGraph(bytes, { classes, externals: new Map([["config", config]]) });
 * ```
 * @module
 */

/** A class the codec may write (restored with `Object.create(C.prototype)` and its own fields). */
// biome-ignore lint/suspicious/noExplicitAny: any constructor signature
export type GraphClass = abstract new (...args: any[]) => object;

/** Options of {@link encodeGraph}. */
export interface EncodeOptions {
  /** classes by name */
  classes: Readonly<Record<string, GraphClass>>;
  /** objects and functions written by name */
  externals: ReadonlyMap<object, string>;
}

/** Options of {@link decodeGraph}. */
export interface DecodeOptions {
  classes: Readonly<Record<string, GraphClass>>;
  externals: ReadonlyMap<string, object>;
}

/** A graph that cannot be written or read, with what and where. */
export class GraphError extends Error {
  override name = "GraphError";
}

const _MAGIC = [0x53, 0x47, 0x52, 0x31]; // "SGR1"

const _T = {
  undef: 0,
  nul: 1,
  f: 2,
  t: 3,
  f64: 4,
  i32: 5,
  str: 6,
  strRef: 7,
  ref: 8,
  ext: 9,
  obj: 10,
  arr: 11,
  map: 12,
  set: 13,
  typed: 14,
  cls: 15,
  frozenObj: 16,
  frozenArr: 17,
  nullProto: 18,
} as const;

const _TYPED = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

class _Writer {
  buf = new Uint8Array(1 << 16);
  view = new DataView(this.buf.buffer);
  n = 0;
  private readonly _enc = new TextEncoder();
  room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.n++] = v;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.n, v, true);
    this.n += 4;
  }
  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.n, v, true);
    this.n += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.n, v, true);
    this.n += 8;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  utf8(s: string): void {
    // ASCII fast path (ids, field names); anything else through TextEncoder
    const len = s.length;
    let ascii = true;
    for (let i = 0; i < len; i++)
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    if (ascii) {
      this.u32(len);
      this.room(len);
      for (let i = 0; i < len; i++) this.buf[this.n++] = s.charCodeAt(i);
    } else this.bytes(this._enc.encode(s));
  }
}

class _Encoder {
  readonly w = new _Writer();
  private readonly _ids = new Map<object, number>();
  private readonly _strs = new Map<string, number>();
  private readonly _names: Map<GraphClass | object, string>;
  constructor(private readonly _o: EncodeOptions) {
    this._names = new Map();
    for (const [name, c] of Object.entries(_o.classes)) this._names.set(c.prototype as object, name);
  }

  str(s: string): void {
    const i = this._strs.get(s);
    if (i !== undefined) {
      this.w.u8(_T.strRef);
      this.w.u32(i);
      return;
    }
    this._strs.set(s, this._strs.size);
    this.w.u8(_T.str);
    this.w.utf8(s);
  }

  value(v: unknown, where: string): void {
    const w = this.w;
    switch (typeof v) {
      case "undefined":
        w.u8(_T.undef);
        return;
      case "boolean":
        w.u8(v ? _T.t : _T.f);
        return;
      case "number":
        if ((v | 0) === v && !Object.is(v, -0)) {
          w.u8(_T.i32);
          w.i32(v);
        } else {
          w.u8(_T.f64);
          w.f64(v);
        }
        return;
      case "string":
        this.str(v);
        return;
      case "bigint":
      case "symbol":
        throw new GraphError(`cannot write a ${typeof v} (at ${where})`);
      default:
        break;
    }
    if (v === null) {
      w.u8(_T.nul);
      return;
    }
    const o = v as object;
    const seen = this._ids.get(o);
    if (seen !== undefined) {
      w.u8(_T.ref);
      w.u32(seen);
      return;
    }
    const ext = this._o.externals.get(o);
    this._ids.set(o, this._ids.size);
    if (ext !== undefined) {
      w.u8(_T.ext);
      this.str(ext);
      return;
    }
    if (typeof o === "function")
      throw new GraphError(`a function that is not an external (at ${where}): ${String(o).slice(0, 60)}`);
    if (Array.isArray(o)) {
      w.u8(Object.isFrozen(o) ? _T.frozenArr : _T.arr);
      w.u32(o.length);
      for (let i = 0; i < o.length; i++) this.value(o[i], where);
      return;
    }
    if (o instanceof Map) {
      w.u8(_T.map);
      w.u32(o.size);
      for (const [k, x] of o) {
        this.value(k, where);
        this.value(x, where);
      }
      return;
    }
    if (o instanceof Set) {
      w.u8(_T.set);
      w.u32(o.size);
      for (const x of o) this.value(x, where);
      return;
    }
    if (ArrayBuffer.isView(o)) {
      const k = _TYPED.findIndex((C) => o instanceof C);
      if (k < 0) throw new GraphError(`cannot write a ${o.constructor.name} (at ${where})`);
      w.u8(_T.typed);
      w.u8(k);
      w.bytes(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
      return;
    }
    const proto = Object.getPrototypeOf(o) as object | null;
    if (proto === Object.prototype || proto === null) {
      w.u8(proto === null ? _T.nullProto : Object.isFrozen(o) ? _T.frozenObj : _T.obj);
      this._fields(o, where);
      return;
    }
    const name = proto !== null ? this._names.get(proto) : undefined;
    if (name === undefined)
      throw new GraphError(`a ${o.constructor?.name ?? "?"} is not a registered class (at ${where})`);
    w.u8(_T.cls);
    this.str(name);
    this._fields(o, name);
  }

  private _fields(o: object, where: string): void {
    const keys = Object.keys(o);
    this.w.u32(keys.length);
    const r = o as Record<string, unknown>;
    for (const k of keys) {
      this.str(k);
      this.value(r[k], `${where}.${k}`);
    }
  }
}

/** Write `root` (see the module doc). Throws {@link GraphError} on what cannot be written. */
export function encodeGraph(root: unknown, o: EncodeOptions): Uint8Array {
  const e = new _Encoder(o);
  for (const b of _MAGIC) e.w.u8(b);
  try {
    e.value(root, "root");
  } catch (err) {
    if (err instanceof RangeError) throw new GraphError(`nested too deeply: ${err.message}`);
    throw err;
  }
  return e.w.buf.slice(0, e.w.n);
}

class _Decoder {
  private n = 0;
  private readonly _view: DataView;
  private readonly _objs: unknown[] = [];
  private readonly _strs: string[] = [];
  private readonly _dec = new TextDecoder("utf-8", { fatal: true });
  constructor(
    private readonly _b: Uint8Array,
    private readonly _o: DecodeOptions,
  ) {
    this._view = new DataView(_b.buffer, _b.byteOffset, _b.byteLength);
  }

  private _need(k: number): void {
    if (this.n + k > this._b.length) throw new GraphError(`truncated at byte ${this.n}`);
  }
  u8(): number {
    this._need(1);
    return this._b[this.n++]!;
  }
  u32(): number {
    this._need(4);
    const v = this._view.getUint32(this.n, true);
    this.n += 4;
    return v;
  }
  private _len(): number {
    const v = this.u32();
    if (v > this._b.length - this.n)
      throw new GraphError(`a length of ${v} at byte ${this.n} runs past the end`);
    return v;
  }
  private _count(): number {
    // every element takes at least one byte
    return this._len();
  }

  magic(): void {
    for (const b of _MAGIC) if (this.u8() !== b) throw new GraphError("not a graph (bad magic)");
  }

  private _utf8(): string {
    const len = this._len();
    let s: string;
    try {
      s = this._dec.decode(this._b.subarray(this.n, this.n + len));
    } catch {
      throw new GraphError(`a string that is not UTF-8 at byte ${this.n}`);
    }
    this.n += len;
    return s;
  }

  private _string(tag: number): string {
    if (tag === _T.str) {
      const s = this._utf8();
      this._strs.push(s);
      return s;
    }
    if (tag === _T.strRef) {
      const i = this.u32();
      const s = this._strs[i];
      if (s === undefined) throw new GraphError(`string ${i} is not defined`);
      return s;
    }
    throw new GraphError(`expected a string, found tag ${tag} at byte ${this.n - 1}`);
  }

  value(): unknown {
    const tag = this.u8();
    switch (tag) {
      case _T.undef:
        return undefined;
      case _T.nul:
        return null;
      case _T.f:
        return false;
      case _T.t:
        return true;
      case _T.i32: {
        this._need(4);
        const v = this._view.getInt32(this.n, true);
        this.n += 4;
        return v;
      }
      case _T.f64: {
        this._need(8);
        const v = this._view.getFloat64(this.n, true);
        this.n += 8;
        return v;
      }
      case _T.str:
      case _T.strRef:
        return this._string(tag);
      case _T.ref: {
        const i = this.u32();
        if (i >= this._objs.length) throw new GraphError(`reference ${i} is not defined yet`);
        return this._objs[i];
      }
      case _T.ext: {
        const slot = this._objs.push(undefined) - 1;
        const name = this._string(this.u8());
        const x = this._o.externals.get(name);
        if (x === undefined) throw new GraphError(`external "${name}" is not known here`);
        this._objs[slot] = x;
        return x;
      }
      case _T.arr:
      case _T.frozenArr: {
        const a: unknown[] = [];
        this._objs.push(a);
        const len = this._count();
        for (let i = 0; i < len; i++) a.push(this.value());
        if (tag === _T.frozenArr) Object.freeze(a);
        return a;
      }
      case _T.map: {
        const m = new Map<unknown, unknown>();
        this._objs.push(m);
        const len = this._count();
        for (let i = 0; i < len; i++) {
          const k = this.value();
          m.set(k, this.value());
        }
        return m;
      }
      case _T.set: {
        const s = new Set<unknown>();
        this._objs.push(s);
        const len = this._count();
        for (let i = 0; i < len; i++) s.add(this.value());
        return s;
      }
      case _T.typed: {
        const C = _TYPED[this.u8()];
        if (C === undefined) throw new GraphError(`unknown typed array kind at byte ${this.n - 1}`);
        const len = this._len();
        if (len % C.BYTES_PER_ELEMENT !== 0) throw new GraphError(`a ${C.name} of ${len} bytes`);
        const copy = this._b.slice(this.n, this.n + len);
        this.n += len;
        const t = new C(copy.buffer, 0, len / C.BYTES_PER_ELEMENT);
        this._objs.push(t);
        return t;
      }
      case _T.obj:
      case _T.frozenObj:
      case _T.nullProto: {
        const o = (tag === _T.nullProto ? Object.create(null) : {}) as Record<string, unknown>;
        this._objs.push(o);
        this._fields(o);
        if (tag === _T.frozenObj) Object.freeze(o);
        return o;
      }
      case _T.cls: {
        const slot = this._objs.push(undefined) - 1;
        const name = this._string(this.u8());
        const C = this._o.classes[name];
        if (C === undefined) throw new GraphError(`class "${name}" is not known here`);
        const o = Object.create(C.prototype as object) as Record<string, unknown>;
        this._objs[slot] = o;
        this._fields(o);
        return o;
      }
      default:
        throw new GraphError(`unknown tag ${tag} at byte ${this.n - 1}`);
    }
  }

  private _fields(o: Record<string, unknown>): void {
    const len = this._count();
    for (let i = 0; i < len; i++) {
      const k = this._string(this.u8());
      const v = this.value();
      // an own field named __proto__ (JSON.parse makes them) stays a field, never a prototype
      if (k === "__proto__")
        Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      else o[k] = v;
    }
  }

  end(): void {
    if (this.n !== this._b.length) throw new GraphError(`${this._b.length - this.n} bytes after the graph`);
  }
}

/** Read what {@link encodeGraph} wrote. Throws {@link GraphError} on anything malformed. */
export function decodeGraph(bytes: Uint8Array, o: DecodeOptions): unknown {
  const d = new _Decoder(bytes, o);
  try {
    d.magic();
    const v = d.value();
    d.end();
    return v;
  } catch (err) {
    // a hostile or damaged input nested past the stack
    if (err instanceof RangeError) throw new GraphError(`nested too deeply: ${err.message}`);
    throw err;
  }
}
