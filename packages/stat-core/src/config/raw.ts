/**
 * From config text to a raw tree, with every problem as a {@link ConfigIssue}: TOML parsing
 * (syntax errors as one line), valibot issues flattened to one line each, and the keys that
 * JavaScript objects treat specially refused anywhere in the tree. Shared by the engine's
 * sections (`resolve.ts`) and the daemon's (`@statd/config`).
 *
 * @example
 * ```ts
 * import { parseConfigToml } from "./raw.ts";
 * parseConfigToml("a = [1,\n"); // { issue: { path: "", message: "TOML syntax error at line 2, ..." } }
 * parseConfigToml("a = 1\n"); // { value: { a: 1 } }
 * ```
 * @module
 */
import { parse as parseToml, TomlError } from "smol-toml";
import type * as v from "valibot";
import { type ConfigIssue, type IssueSink, show } from "./errors.ts";

/** Largest config text accepted, in characters. */
export const MAX_CONFIG_CHARS = 64 * 1024 * 1024;

/**
 * Parse config TOML text: the tree, or the one issue that stops it (not text, too large, syntax).
 *
 * @example
 * ```ts
 * parseConfigToml(42 as unknown as string); // { issue: { path: "", message: "expected TOML text, got number" } }
 * ```
 */
export function parseConfigToml(text: string): { value: Record<string, unknown> } | { issue: ConfigIssue } {
  if (typeof text !== "string")
    return { issue: { path: "", message: `expected TOML text, got ${typeof text}` } };
  if (text.length > MAX_CONFIG_CHARS)
    return { issue: { path: "", message: `file larger than ${MAX_CONFIG_CHARS} characters` } };
  try {
    return { value: parseToml(text) as Record<string, unknown> };
  } catch (e) {
    return { issue: { path: "", message: tomlMessage(e) } };
  }
}

/**
 * One line for what smol-toml threw.
 *
 * @example
 * ```ts
 * try { parse("a = [1,\n"); } catch (e) { tomlMessage(e); } // "TOML syntax error at line 2, column 1: ..."
 * ```
 */
export function tomlMessage(e: unknown): string {
  if (e instanceof TomlError) {
    const first = e.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
    return `TOML syntax error at line ${e.line}, column ${e.column}: ${first}`;
  }
  if (e instanceof RangeError) return "TOML nested too deeply";
  return `TOML parse failed: ${String((e as Error)?.message ?? e).split("\n")[0]}`;
}

/**
 * Flatten valibot issues into one-line config issues (a union's issues to their deepest cause),
 * their paths under `prefix`.
 *
 * @example
 * ```ts
 * const r = v.safeParse(Schema, obj, { abortEarly: false });
 * if (!r.success) addValibotIssues(r.issues, sink, ["cluster"]);
 * ```
 */
export function addValibotIssues(
  issues: readonly v.BaseIssue<unknown>[],
  sink: IssueSink,
  prefix: readonly (string | number)[] = [],
): void {
  for (const i of issues) {
    const path = [...prefix, ...(i.path ?? []).map((p) => p.key as string | number)];
    if (i.type === "union" && i.issues) {
      // Sub-issue paths are relative to the union; those with a path went into the branch that
      // matched the value's shape (a table), so they say what is wrong inside it.
      const deeper = i.issues.filter((s) => (s.path?.length ?? 0) > 0);
      if (deeper.length > 0) {
        addValibotIssues(deeper, sink, path);
        continue;
      }
    }
    sink.error(path, i.message);
  }
}

const _RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Refuse keys that JavaScript objects treat specially, anywhere in the tree (valibot would drop
 * them silently, and a stat type named "constructor" would be a trap for lookups). Iterative:
 * a deeply nested tree does not recurse.
 *
 * @example
 * ```ts
 * checkReservedKeys({ filters: { constructor: "x" } }, sink); // filters.constructor: "constructor" is a reserved name
 * ```
 */
export function checkReservedKeys(
  root: unknown,
  sink: IssueSink,
  prefix: readonly (string | number)[] = [],
): void {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [...prefix] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== "object" || value === null || path.length > 64) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
      continue;
    }
    if (value instanceof Date) continue;
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      if (_RESERVED.has(k)) sink.error([...path, k], `${show(k)} is a reserved name`);
      else stack.push({ value: (value as Record<string, unknown>)[k], path: [...path, k] });
    }
  }
}
