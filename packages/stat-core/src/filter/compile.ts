/**
 * Compile a filter into a closure tree and evaluate it against an action's attributes.
 *
 * Semantics (docs/config.md "Filters"):
 * - a missing attribute or key makes `=`, `<`, `<=`, `>`, `>=` and `in` false; `!=` and
 *   `not in` are exactly their negations (so they are true when the value is missing);
 * - `=` compares strings exactly (case-sensitive); when either side is a number both sides are
 *   compared as numbers, and a side that is not numeric (e.g. `"abc"`) makes it false;
 * - `<` `<=` `>` `>=` compare numbers only (numeric strings such as userData "5" count);
 * - `PairExists(k, v)` ≡ `userData[k] = v`; `KeyExists(k)` is true when userData has key k.
 *
 * @example
 * ```ts
 * import { compileFilter } from "./compile.ts";
 * const f = compileFilter('PairExists("Language", "Spanish")');
 * f.evaluate({ userData: { Language: "Spanish" } }); // true
 * f.keys; // ["userData.Language"]
 * ```
 * @module
 */
import type { FilterExpr, FilterInput, FilterLiteral, FilterOperand } from "./ast.ts";
import { FilterError } from "./lexer.ts";
import { parseFilter } from "./parser.ts";

/** A compiled filter. `keys` lists the attributes it reads (`callType`, `userData.Segment`, …). */
export interface CompiledFilter {
  source: string;
  evaluate(input: FilterInput): boolean;
  keys: string[];
  ast: FilterExpr;
}

type Pred = (input: FilterInput) => boolean;
type Getter = (input: FilterInput) => string | number | undefined;

/**
 * Parse and compile `source`. Throws {@link FilterError} (one line: column + what was expected).
 *
 * @example
 * ```ts
 * compileFilter('callType = "Inbound" and userData.Segment in ("Gold", "Silver")').evaluate({
 *   callType: "Inbound", userData: { Segment: "Gold" },
 * }); // true
 * ```
 */
export function compileFilter(source: string): CompiledFilter {
  const ast = parseFilter(source);
  return compileAst(ast, source);
}

/**
 * Compile an already-parsed expression.
 *
 * @example
 * ```ts
 * compileAst({ kind: "bool", value: true }, "true").evaluate({}); // true
 * ```
 */
export function compileAst(ast: FilterExpr, source: string): CompiledFilter {
  const keys = new Set<string>();
  const pred = _compile(ast, keys, 0);
  return {
    source,
    ast,
    keys: [...keys].sort(),
    evaluate: (input) => (input == null ? pred({}) : pred(input)),
  };
}

/** Evaluate an expression directly (no compilation). Reference semantics for tests. */
export function evaluateFilter(e: FilterExpr, input: FilterInput): boolean {
  switch (e.kind) {
    case "and":
      return e.items.every((x) => evaluateFilter(x, input));
    case "or":
      return e.items.some((x) => evaluateFilter(x, input));
    case "not":
      return !evaluateFilter(e.expr, input);
    case "bool":
      return e.value;
    case "cmp": {
      const eq = _equals(_get(e.left, input), _get(e.right, input));
      if (e.op === "=") return eq;
      if (e.op === "!=") return !eq;
      return _order(e.op, _get(e.left, input), _get(e.right, input));
    }
    case "in": {
      const v = _get(e.left, input);
      const hit = e.values.some((l) => _equals(v, l.value));
      return e.negated ? !hit : hit;
    }
    case "call":
      if (e.fn === "KeyExists") return _lookup(input.userData, e.args[0] as string) !== undefined;
      return _equals(_lookup(input.userData, e.args[0] as string), e.args[1]);
  }
}

function _compile(e: FilterExpr, keys: Set<string>, depth: number): Pred {
  if (depth > 256) throw new FilterError(0, "expression nested too deeply");
  switch (e.kind) {
    case "and": {
      const ps = e.items.map((x) => _compile(x, keys, depth + 1));
      return (input) => {
        for (const p of ps) if (!p(input)) return false;
        return true;
      };
    }
    case "or": {
      const ps = e.items.map((x) => _compile(x, keys, depth + 1));
      return (input) => {
        for (const p of ps) if (p(input)) return true;
        return false;
      };
    }
    case "not": {
      const p = _compile(e.expr, keys, depth + 1);
      return (input) => !p(input);
    }
    case "bool": {
      const v = e.value;
      return () => v;
    }
    case "cmp": {
      const l = _getter(e.left, keys);
      const r = _getter(e.right, keys);
      const op = e.op;
      if (op === "=") return (input) => _equals(l(input), r(input));
      if (op === "!=") return (input) => !_equals(l(input), r(input));
      return (input) => _order(op, l(input), r(input));
    }
    case "in": {
      const l = _getter(e.left, keys);
      const values = e.values.map((v: FilterLiteral) => v.value);
      const neg = e.negated;
      return (input) => {
        const v = l(input);
        let hit = false;
        for (const x of values)
          if (_equals(v, x)) {
            hit = true;
            break;
          }
        return neg ? !hit : hit;
      };
    }
    case "call": {
      const key = e.args[0] as string;
      keys.add(`userData.${key}`);
      if (e.fn === "KeyExists") return (input) => _lookup(input.userData, key) !== undefined;
      const want = e.args[1];
      return (input) => _equals(_lookup(input.userData, key), want);
    }
  }
}

function _getter(o: FilterOperand, keys: Set<string>): Getter {
  if (o.kind === "str" || o.kind === "num") {
    const v = o.value;
    return () => v;
  }
  if (o.kind === "attr") {
    const name = o.name;
    keys.add(name);
    return (input) => {
      const v = input[name];
      return typeof v === "string" || typeof v === "number" ? v : undefined;
    };
  }
  const { map, key } = o;
  keys.add(`${map}.${key}`);
  return (input) => _lookup(input[map], key);
}

function _get(o: FilterOperand, input: FilterInput): string | number | undefined {
  return _getter(o, new Set())(input);
}

function _lookup(
  m: Readonly<Record<string, string | number>> | undefined,
  key: string,
): string | number | undefined {
  if (m == null || typeof m !== "object" || !Object.hasOwn(m, key)) return undefined;
  const v = m[key];
  return typeof v === "string" || typeof v === "number" ? v : undefined;
}

const _NUMERIC = /^\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$/;

function _toNum(v: string | number | undefined): number | undefined {
  if (typeof v === "number") return Number.isNaN(v) ? undefined : v;
  if (typeof v === "string" && v.length <= 64 && _NUMERIC.test(v)) return Number(v);
  return undefined;
}

function _equals(a: string | number | undefined, b: string | number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (typeof a === "string" && typeof b === "string") return a === b;
  const x = _toNum(a);
  const y = _toNum(b);
  return x !== undefined && y !== undefined && x === y;
}

function _order(
  op: "<" | "<=" | ">" | ">=",
  a: string | number | undefined,
  b: string | number | undefined,
): boolean {
  const x = _toNum(a);
  const y = _toNum(b);
  if (x === undefined || y === undefined) return false;
  switch (op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
  }
}
