/**
 * The building blocks of the config schemas (valibot), shared by the engine's sections here and
 * the daemon's sections in `@statd/config`: every table is strict (an unknown key is an error
 * with a did-you-mean), every message is short and says what was found.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { int, table } from "./schema-kit.ts";
 * const S = table({ instances: v.optional(int(1, 64)) });
 * v.safeParse(S, { instancs: 2 }).success; // false: unknown key "instancs" (did you mean "instances"?)
 * ```
 * @module
 */
import * as v from "valibot";
import { didYouMean } from "../mask.ts";
import { show } from "./errors.ts";

/**
 * A strict table whose issues say "unknown key" (with a hint), "missing required key" or
 * "expected a table".
 *
 * @example
 * ```ts
 * const T = table({ id: str(8) });
 * ```
 */
export function table<const E extends v.ObjectEntries>(entries: E) {
  const keys = Object.keys(entries);
  return v.strictObject(entries, (issue) => {
    const key = String(issue.path?.at(-1)?.key ?? "");
    if (issue.expected === "never") {
      const hint = didYouMean(key, keys);
      return `unknown key ${show(key)}${hint || ` (known keys: ${keys.join(", ")})`}`;
    }
    if (issue.input === undefined && keys.includes(key)) return `missing required key ${show(key)}`;
    return `expected a table, got ${kindOf(issue.input)}`;
  });
}

/**
 * What a value is, for a message: "an array", "null", "a table", `string "x"`, `number 5`.
 *
 * @example
 * ```ts
 * kindOf(5); // "number 5"
 * ```
 */
export function kindOf(x: unknown): string {
  if (Array.isArray(x)) return "an array";
  if (x === null) return "null";
  if (typeof x === "object") return x instanceof Date ? "a date" : "a table";
  return `${typeof x} ${show(x)}`;
}

/**
 * A string of at most `max` characters.
 *
 * @example
 * ```ts
 * const dataDir = str(4096);
 * ```
 */
export const str = (max = 1024) =>
  v.pipe(
    v.string((i) => `expected a string, got ${kindOf(i.input)}`),
    v.maxLength(max, `longer than ${max} characters`),
  );

/**
 * An identifier: a non-empty string without control characters, at most 256 characters.
 *
 * @example
 * ```ts
 * const tenant = v.optional(id());
 * ```
 */
export const id = () =>
  v.pipe(
    str(256),
    v.minLength(1, "must not be empty"),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    v.regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters"),
  );

/**
 * An integer in `[min, max]`.
 *
 * @example
 * ```ts
 * const instances = int(1, 64);
 * ```
 */
export const int = (min: number, max: number) =>
  v.pipe(
    v.number((i) => `expected an integer, got ${kindOf(i.input)}`),
    v.integer((i) => `expected an integer, got ${i.received}`),
    v.minValue(min, (i) => `must be at least ${min}, got ${i.received}`),
    v.maxValue(max, (i) => `must be at most ${max}, got ${i.received}`),
  );

/**
 * A finite number in `[min, max]`.
 *
 * @example
 * ```ts
 * const lo = num(0, 1e9);
 * ```
 */
export const num = (min: number, max: number) =>
  v.pipe(
    v.number((i) => `expected a number, got ${kindOf(i.input)}`),
    v.finite("must be finite"),
    v.minValue(min, (i) => `must be at least ${min}, got ${i.received}`),
    v.maxValue(max, (i) => `must be at most ${max}, got ${i.received}`),
  );

/**
 * `true` or `false`.
 *
 * @example
 * ```ts
 * const useSourceTimestamps = v.optional(bool());
 * ```
 */
export const bool = () => v.boolean((i) => `expected true or false, got ${kindOf(i.input)}`);

/**
 * An array of at most `max` items.
 *
 * @example
 * ```ts
 * const nodes = list(table({ id: id() }), 256);
 * ```
 */
export const list = <T extends v.GenericSchema>(item: T, max = 1_000_000) =>
  v.pipe(
    v.array(item, (i) => `expected an array, got ${kindOf(i.input)}`),
    v.maxLength(max, `more than ${max} entries`),
  );

/**
 * A string, or an array of strings (masks, object lists, templates).
 *
 * @example
 * ```ts
 * const objects = strOrList(256);
 * ```
 */
export const strOrList = (max = 1024) =>
  v.union(
    [str(max), list(str(max), 1024)],
    (i) => `expected a string or an array of strings, got ${kindOf(i.input)}`,
  );

/**
 * A table of named entries (`[statTypes.NAME]`): names use letters, digits, `_ . -`.
 *
 * @example
 * ```ts
 * const timeRanges = rec(table({ lo: num(0, 1e9), hi: num(0, 1e9) }));
 * ```
 */
export const rec = <T extends v.GenericSchema>(item: T) =>
  v.record(
    v.pipe(
      str(128),
      v.regex(
        /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
        "names use letters, digits, _ . - (and start with a letter, digit or _)",
      ),
    ),
    item,
    (i) => `expected a table, got ${kindOf(i.input)}`,
  );
