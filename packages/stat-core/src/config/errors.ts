/**
 * Config errors: every issue is one line `config: KEY.PATH: reason`.
 *
 * @example
 * ```ts
 * import { ConfigError, formatPath } from "./errors.ts";
 * formatPath(["directory", "dns", 3, "place"]); // "directory.dns[3].place"
 * new ConfigError([{ path: "cluster.instances", message: "expected an integer" }]).message;
 * // 'config: cluster.instances: expected an integer'
 * ```
 * @module
 */

/** One problem found in a config: the key path and the reason. */
export interface ConfigIssue {
  /** dotted key path (`statTypes.Foo.category`, `directory.dns[3].place`); "" for the file */
  path: string;
  message: string;
}

/** Format an issue as its one-line text. */
export function formatIssue(i: ConfigIssue): string {
  return i.path ? `config: ${i.path}: ${i.message}` : `config: ${i.message}`;
}

/**
 * Thrown by `loadConfig` / `parseConfig`. `issues` holds every problem found; `message` is the
 * first one's line, plus how many more there are.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    const first = issues[0] ? formatIssue(issues[0]) : "config: invalid";
    super(
      issues.length > 1
        ? `${first} (and ${issues.length - 1} more issue${issues.length > 2 ? "s" : ""})`
        : first,
    );
    this.issues = issues;
  }
  /** Every issue as a one-line string. */
  get lines(): string[] {
    return this.issues.map(formatIssue);
  }
}

const _IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Render a key path: identifiers joined by dots, array indices in brackets, other keys quoted.
 *
 * @example
 * ```ts
 * formatPath(["statTypes", "My Stat", "objects", 0]); // 'statTypes."My Stat".objects[0]'
 * ```
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else {
      const key = _IDENT.test(p) ? p : JSON.stringify(p.length > 60 ? `${p.slice(0, 60)}…` : p);
      out += out ? `.${key}` : key;
    }
  }
  return out;
}

/** Show a value briefly for a message (strings quoted, long values clipped). */
export function show(v: unknown): string {
  let s: string;
  try {
    s =
      typeof v === "string"
        ? JSON.stringify(v)
        : typeof v === "bigint"
          ? `${v}`
          : (JSON.stringify(v) ?? String(v));
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Collects errors and warnings while a config is resolved. */
export class IssueSink {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];
  /** Most errors kept (a 100k-line directory with one systematic mistake would otherwise flood). */
  static readonly MAX = 200;
  error(path: readonly (string | number)[] | string, message: string): void {
    if (this.errors.length < IssueSink.MAX)
      this.errors.push({ path: typeof path === "string" ? path : formatPath(path), message });
    else this.dropped++;
  }
  warn(path: readonly (string | number)[] | string, message: string): void {
    if (this.warnings.length < IssueSink.MAX)
      this.warnings.push({ path: typeof path === "string" ? path : formatPath(path), message });
  }
  dropped = 0;
  /** Errors, with a final "N more errors not shown" entry when some were dropped. */
  allErrors(): ConfigIssue[] {
    return this.dropped > 0
      ? [...this.errors, { path: "", message: `${this.dropped} more error(s) not shown` }]
      : this.errors;
  }
}
