/**
 * The hot-path event validator: a hand-rolled equivalent of {@link EventSchema} (valibot), about
 * an order of magnitude cheaper per event (see `docs/bench-sip.md`). `validate.test.ts`
 * property-tests (fast-check) that both accept exactly the same values and produce the same output.
 *
 * It validates in place and returns the same object (no copy); like valibot it drops the keys
 * `__proto__`, `prototype` and `constructor` wherever it looks (top level, `reasons`, `userData`).
 *
 * @example
 * ```ts
 * const r = checkEvent(JSON.parse('{"seq":1,"event":"EventOnHook","time":2,"thisDN":"1001"}'));
 * if (typeof r === "string") console.log("bad frame:", r); else console.log(r.event);
 * ```
 * @module
 */
import {
  ATTRIBUTES,
  type Attribute,
  CALL_TYPES,
  EVENT_SPECS,
  type EventSpec,
  type SipEvent,
  WORK_MODES,
} from "./protocol.ts";

const _Kind = { Id: 0, Str: 1, CallType: 2, WorkMode: 3, Kv: 4 } as const;
type _Kind = (typeof _Kind)[keyof typeof _Kind];

const _KIND: Record<Attribute, _Kind> = {
  connId: _Kind.Id,
  previousConnId: _Kind.Id,
  thisDN: _Kind.Id,
  otherDN: _Kind.Id,
  thisQueue: _Kind.Id,
  agentId: _Kind.Id,
  callType: _Kind.CallType,
  workMode: _Kind.WorkMode,
  reasons: _Kind.Kv,
  userData: _Kind.Kv,
  ani: _Kind.Str,
  dnis: _Kind.Str,
};
const _ATTRS: readonly Attribute[] = ATTRIBUTES;
const _KINDS: readonly _Kind[] = ATTRIBUTES.map((a) => _KIND[a]);
const _CALL_TYPES = new Set<string>(CALL_TYPES);
const _WORK_MODES = new Set<string>(WORK_MODES);

/** Per event name: a bit mask of required attributes (bit i = ATTRIBUTES[i]). */
const _REQUIRED = new Map<string, number>();
for (const [name, spec] of Object.entries(EVENT_SPECS) as [string, EventSpec][]) {
  let mask = 0;
  for (const a of spec.required) mask |= 1 << ATTRIBUTES.indexOf(a);
  _REQUIRED.set(name, mask);
}

const _hasOwn = Object.prototype.hasOwnProperty;

function _isForbidden(k: string): boolean {
  return k === "__proto__" || k === "prototype" || k === "constructor";
}

function _dropForbidden(o: Record<string, unknown>): void {
  if (_hasOwn.call(o, "__proto__")) Reflect.deleteProperty(o, "__proto__");
  if (_hasOwn.call(o, "prototype")) Reflect.deleteProperty(o, "prototype");
  if (_hasOwn.call(o, "constructor")) Reflect.deleteProperty(o, "constructor");
}

function _checkKv(x: unknown, name: string): string | undefined {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return `${name}: expected an object`;
  const o = x as Record<string, unknown>;
  for (const k in o) {
    if (!_hasOwn.call(o, k) || _isForbidden(k)) continue;
    const val = o[k];
    if (typeof val === "string") continue;
    if (typeof val === "number" && !Number.isNaN(val)) continue;
    return `${name}.${k}: expected a string or a number`;
  }
  _dropForbidden(o);
  return undefined;
}

function _short(x: unknown): string {
  const s = typeof x === "string" ? JSON.stringify(x) : typeof x;
  return s.length > 48 ? `${s.slice(0, 45)}..."` : s;
}

/**
 * Validate a parsed event line. Returns the event (the same object, typed) or a one-line reason.
 *
 * @example
 * ```ts
 * checkEvent({ event: "EventNope", time: 1 }); // 'event: unknown event name "EventNope"'
 * ```
 */
export function checkEvent(x: unknown): SipEvent | string {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return "expected a JSON object";
  const o = x as Record<string, unknown>;
  const name = o.event;
  if (typeof name !== "string") return "event: missing or not a string";
  const required = _REQUIRED.get(name);
  if (required === undefined) return `event: unknown event name ${_short(name)}`;
  const time = o.time;
  if (typeof time !== "number" || !(time >= 0) || time === Number.POSITIVE_INFINITY) {
    return "time: expected finite epoch seconds >= 0";
  }
  const seq = o.seq;
  if (seq !== undefined && (!Number.isSafeInteger(seq) || (seq as number) < 1)) {
    return "seq: expected an integer >= 1";
  }
  const snap = o.snapshot;
  if (snap !== undefined && typeof snap !== "boolean") return "snapshot: expected a boolean";
  const node = o.node;
  if (node !== undefined && typeof node !== "string") return "node: expected a string";
  for (let i = 0; i < _ATTRS.length; i++) {
    const a = _ATTRS[i]!;
    const val = o[a];
    if (val === undefined) {
      if (required & (1 << i)) return `${a}: required by ${name}`;
      continue;
    }
    switch (_KINDS[i]) {
      case _Kind.Id:
        if (typeof val !== "string" || val.length === 0) return `${a}: expected a non-empty string`;
        break;
      case _Kind.Str:
        if (typeof val !== "string") return `${a}: expected a string`;
        break;
      case _Kind.CallType:
        if (typeof val !== "string" || !_CALL_TYPES.has(val)) return `${a}: unknown call type ${_short(val)}`;
        break;
      case _Kind.WorkMode:
        if (typeof val !== "string" || !_WORK_MODES.has(val)) return `${a}: unknown work mode ${_short(val)}`;
        break;
      case _Kind.Kv: {
        const err = _checkKv(val, a);
        if (err !== undefined) return err;
        break;
      }
    }
  }
  _dropForbidden(o);
  return o as SipEvent;
}
