/**
 * Canonical printer of filter expressions: `parseFilter(printFilter(e))` equals `e`.
 *
 * @example
 * ```ts
 * import { printFilter } from "./print.ts";
 * import { parseFilter } from "./parser.ts";
 * printFilter(parseFilter("NOT ani == '5'")); // 'not ani = "5"'
 * ```
 * @module
 */
import type { FilterExpr, FilterLiteral, FilterOperand } from "./ast.ts";

const _IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Print an expression in canonical form (lower-case keywords, double-quoted strings, nested
 * `and`/`or` in parentheses).
 *
 * @example
 * ```ts
 * printFilter({ kind: "call", fn: "KeyExists", args: ["VIP"] }); // 'KeyExists("VIP")'
 * ```
 */
export function printFilter(e: FilterExpr): string {
  switch (e.kind) {
    case "and":
    case "or":
      return e.items
        .map((x) => (x.kind === "and" || x.kind === "or" ? `(${printFilter(x)})` : printFilter(x)))
        .join(` ${e.kind} `);
    case "not":
      return `not ${e.expr.kind === "and" || e.expr.kind === "or" ? `(${printFilter(e.expr)})` : printFilter(e.expr)}`;
    case "cmp":
      return `${_operand(e.left)} ${e.op} ${_operand(e.right)}`;
    case "in":
      return `${_operand(e.left)} ${e.negated ? "not in" : "in"} (${e.values.map(_literal).join(", ")})`;
    case "call":
      return `${e.fn}(${e.args.map((a) => (typeof a === "string" ? JSON.stringify(a) : _num(a))).join(", ")})`;
    case "bool":
      return e.value ? "true" : "false";
  }
}

function _operand(o: FilterOperand): string {
  if (o.kind === "attr") return o.name;
  if (o.kind === "key")
    return _IDENT.test(o.key) ? `${o.map}.${o.key}` : `${o.map}[${JSON.stringify(o.key)}]`;
  return _literal(o);
}

function _literal(l: FilterLiteral): string {
  return l.kind === "str" ? JSON.stringify(l.value) : _num(l.value);
}

function _num(n: number): string {
  return String(n);
}
