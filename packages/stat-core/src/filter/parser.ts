/**
 * Recursive-descent parser of the filter language.
 *
 * Grammar (keywords case-insensitive; `&&`, `||`, `!` are aliases of `and`, `or`, `not`):
 * ```text
 * filter     := or EOF
 * or         := and ( "or" and )*
 * and        := unary ( "and" unary )*
 * unary      := "not" unary | primary
 * primary    := "(" or ")" | "true" | "false" | call | comparison
 * call       := ("PairExists" | "KeyExists") "(" literal ( "," literal )* ")"
 * comparison := operand op operand | operand [ "not" ] "in" "(" literal ( "," literal )* ")"
 * op         := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
 * operand    := literal | attribute | map "." NAME | map "[" STRING "]"
 * attribute  := callType | thisDN | otherDN | thisQueue | agentId | ani | dnis | workMode
 * map        := userData | reasons
 * literal    := STRING ('…' or "…", JSON escapes) | NUMBER (-?digits[.digits][e±digits])
 * ```
 *
 * @example
 * ```ts
 * import { parseFilter } from "./parser.ts";
 * parseFilter('PairExists("Language", "Spanish") and callType = "Inbound"').kind; // "and"
 * ```
 * @module
 */
import { closest } from "../mask.ts";
import {
  FILTER_ATTRIBUTES,
  FILTER_FUNCTIONS,
  FILTER_LIMITS,
  FILTER_MAPS,
  type FilterAttribute,
  type FilterExpr,
  type FilterFunction,
  type FilterLiteral,
  type FilterMap,
  type FilterOp,
  type FilterOperand,
} from "./ast.ts";
import { FilterError, type Token, tokenize } from "./lexer.ts";

/** Call types a `callType` comparison may name. */
export const FILTER_CALL_TYPES = ["Inbound", "Outbound", "Internal", "Consult", "Unknown"] as const;

const _attrByLower = new Map<string, FilterAttribute>(FILTER_ATTRIBUTES.map((a) => [a.toLowerCase(), a]));
const _mapByLower = new Map<string, FilterMap>(FILTER_MAPS.map((a) => [a.toLowerCase(), a]));
const _fnByLower = new Map<string, FilterFunction>(FILTER_FUNCTIONS.map((a) => [a.toLowerCase(), a]));

/**
 * Parse filter source into a {@link FilterExpr}. Throws {@link FilterError} with the column and
 * what was expected. Refuses sources over 4 KiB (UTF-8) and nesting deeper than 64.
 *
 * @example
 * ```ts
 * parseFilter("ani = '555'"); // { kind: "cmp", op: "=", left: {kind:"attr",name:"ani"}, right: {kind:"str",value:"555"} }
 * ```
 */
export function parseFilter(src: string): FilterExpr {
  if (typeof src !== "string") throw new FilterError(0, `filter must be a string, got ${typeof src}`);
  if (src.length > FILTER_LIMITS.maxBytes || new TextEncoder().encode(src).length > FILTER_LIMITS.maxBytes)
    throw new FilterError(0, `filter longer than ${FILTER_LIMITS.maxBytes} bytes`);
  if (src.trim() === "") throw new FilterError(0, "empty filter");
  return new _Parser(tokenize(src)).parse();
}

class _Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): FilterExpr {
    const e = this.or();
    const t = this.peek();
    if (t.type !== "eof") throw this.err(t, 'expected "and", "or" or the end');
    return e;
  }

  private peek(): Token {
    return this.toks[this.i];
  }
  private next(): Token {
    return this.toks[this.i++];
  }
  private err(t: Token, expected: string): FilterError {
    return new FilterError(t.pos, `${expected}, found ${_describe(t)}`);
  }
  private expect(type: Token["type"], what: string): Token {
    const t = this.peek();
    if (t.type !== type) throw this.err(t, `expected ${what}`);
    return this.next();
  }
  private enter(t: Token): void {
    if (++this.depth > FILTER_LIMITS.maxDepth)
      throw new FilterError(t.pos, `nesting deeper than ${FILTER_LIMITS.maxDepth}`);
  }

  private or(): FilterExpr {
    const items = [this.and()];
    while (this.peek().type === "or") {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0] : { kind: "or", items };
  }

  private and(): FilterExpr {
    const items = [this.unary()];
    while (this.peek().type === "and") {
      this.next();
      items.push(this.unary());
    }
    return items.length === 1 ? items[0] : { kind: "and", items };
  }

  private unary(): FilterExpr {
    const t = this.peek();
    if (t.type === "not") {
      this.next();
      this.enter(t);
      const expr = this.unary();
      this.depth--;
      return { kind: "not", expr };
    }
    return this.primary();
  }

  private primary(): FilterExpr {
    const t = this.peek();
    if (t.type === "(") {
      this.next();
      this.enter(t);
      const e = this.or();
      this.depth--;
      this.expect(")", `")" to close the "(" at ${t.pos}`);
      return e;
    }
    if (t.type === "true" || t.type === "false") {
      this.next();
      return { kind: "bool", value: t.type === "true" };
    }
    if (t.type === "ident" && this.toks[this.i + 1]?.type === "(") return this.call();
    const left = this.operand('a condition (comparison, PairExists(...), KeyExists(...), not, or "(")');
    const op = this.peek();
    if (op.type === "op") {
      this.next();
      const right = this.operand(`a value after "${op.text}"`);
      return this.checkCmp({ kind: "cmp", op: op.value as FilterOp, left, right }, op);
    }
    let negated = false;
    if (op.type === "not" && this.toks[this.i + 1]?.type === "in") {
      this.next();
      negated = true;
    }
    if (this.peek().type === "in") {
      const inTok = this.next();
      const values = this.literalList(`"(" after "in"`, inTok);
      const e: FilterExpr = { kind: "in", negated, left, values };
      for (const v of values) this.checkCallType(left, v, inTok);
      return e;
    }
    throw this.err(op, 'expected a comparison operator (=, !=, <, <=, >, >=) or "in"');
  }

  private call(): FilterExpr {
    const nameTok = this.next();
    const fn = _fnByLower.get(nameTok.text.toLowerCase());
    if (!fn) {
      const hint = closest(nameTok.text, FILTER_FUNCTIONS);
      throw new FilterError(
        nameTok.pos,
        `unknown function "${nameTok.text}"${hint ? ` (did you mean "${hint}"?)` : ` (known: ${FILTER_FUNCTIONS.join(", ")})`}`,
      );
    }
    const args = this.literalList(`"(" after ${fn}`, nameTok).map((l) => l.value);
    const want = fn === "PairExists" ? 2 : 1;
    if (args.length !== want)
      throw new FilterError(
        nameTok.pos,
        `${fn} takes ${want} argument${want > 1 ? "s" : ""}, got ${args.length}`,
      );
    if (typeof args[0] !== "string") throw new FilterError(nameTok.pos, `${fn}: the key must be a string`);
    return { kind: "call", fn, args };
  }

  private literalList(what: string, at: Token): FilterLiteral[] {
    this.expect("(", what);
    this.enter(at);
    const out: FilterLiteral[] = [];
    if (this.peek().type !== ")") {
      for (;;) {
        out.push(this.literal());
        if (out.length > FILTER_LIMITS.maxListItems)
          throw new FilterError(at.pos, `list longer than ${FILTER_LIMITS.maxListItems} items`);
        if (this.peek().type !== ",") break;
        this.next();
      }
    }
    this.expect(")", `"," or ")" in the list`);
    this.depth--;
    return out;
  }

  private literal(): FilterLiteral {
    const t = this.peek();
    if (t.type === "str") {
      this.next();
      return { kind: "str", value: t.value as string };
    }
    if (t.type === "num") {
      this.next();
      return { kind: "num", value: t.value as number };
    }
    throw this.err(t, "expected a string or number literal");
  }

  private operand(what: string): FilterOperand {
    const t = this.peek();
    if (t.type === "str" || t.type === "num") return this.literal();
    if (t.type !== "ident") throw this.err(t, `expected ${what}`);
    this.next();
    const lower = t.text.toLowerCase();
    const attr = _attrByLower.get(lower);
    if (attr) return { kind: "attr", name: attr };
    const map = _mapByLower.get(lower);
    if (map) {
      const sep = this.peek();
      if (sep.type === ".") {
        this.next();
        const k = this.next();
        // After the dot any word is a key, keywords included (userData.in).
        if (
          k.type === "ident" ||
          k.type === "and" ||
          k.type === "or" ||
          k.type === "not" ||
          k.type === "in" ||
          k.type === "true" ||
          k.type === "false"
        )
          return { kind: "key", map, key: k.text };
        throw this.err(k, `expected a key name after "${map}."`);
      }
      if (sep.type === "[") {
        this.next();
        const k = this.expect("str", `a quoted key in ${map}[...]`);
        this.expect("]", `"]" after the key`);
        return { kind: "key", map, key: k.value as string };
      }
      throw this.err(sep, `expected "." or "[" after "${map}" (e.g. ${map}.Segment)`);
    }
    const known = [...FILTER_ATTRIBUTES, ...FILTER_MAPS];
    const hint = closest(t.text, [...known, ...FILTER_FUNCTIONS]);
    throw new FilterError(
      t.pos,
      `unknown attribute "${t.text}"${hint ? ` (did you mean "${hint}"?)` : ` (known: ${known.join(", ")})`}`,
    );
  }

  private checkCmp(e: FilterExpr & { kind: "cmp" }, at: Token): FilterExpr {
    if (e.op !== "=" && e.op !== "!=") {
      for (const side of [e.left, e.right])
        if (side.kind === "str")
          throw new FilterError(
            at.pos,
            `"${at.text}" compares numbers; ${JSON.stringify(side.value)} is a string (write a number)`,
          );
    } else {
      this.checkCallType(e.left, e.right, at);
      this.checkCallType(e.right, e.left, at);
    }
    return e;
  }

  private checkCallType(ref: FilterOperand, lit: FilterOperand, at: Token): void {
    if (ref.kind !== "attr" || ref.name !== "callType" || lit.kind !== "str") return;
    if ((FILTER_CALL_TYPES as readonly string[]).includes(lit.value)) return;
    const hint = closest(lit.value, FILTER_CALL_TYPES);
    throw new FilterError(
      at.pos,
      `unknown call type ${JSON.stringify(lit.value)}${hint ? ` (did you mean "${hint}"?)` : ` (known: ${FILTER_CALL_TYPES.join(", ")})`}`,
    );
  }
}

function _describe(t: Token): string {
  if (t.type === "eof") return "the end";
  const text = t.text.length > 30 ? `${t.text.slice(0, 30)}…` : t.text;
  return JSON.stringify(text);
}
