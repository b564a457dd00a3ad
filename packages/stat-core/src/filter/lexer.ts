/**
 * Tokenizer of the filter language. Positions are 1-based character columns.
 *
 * @example
 * ```ts
 * import { tokenize } from "./lexer.ts";
 * tokenize('ani = "555"').map((t) => t.type); // ["ident", "op", "str", "eof"]
 * ```
 * @module
 */

/** A thrown filter syntax/semantic error; `pos` is the 1-based column. Message is one line. */
export class FilterError extends Error {
  override name = "FilterError";
  constructor(
    readonly pos: number,
    readonly reason: string,
  ) {
    super(pos > 0 ? `at ${pos}: ${reason}` : reason);
  }
}

export type TokenType =
  | "ident"
  | "str"
  | "num"
  | "op"
  | "and"
  | "or"
  | "not"
  | "in"
  | "true"
  | "false"
  | "("
  | ")"
  | "["
  | "]"
  | ","
  | "."
  | "eof";

/** One token; `text` is the source slice, `value` the decoded string/number. */
export interface Token {
  type: TokenType;
  text: string;
  pos: number;
  value?: string | number;
}

const _KEYWORDS: Record<string, TokenType> = {
  and: "and",
  or: "or",
  not: "not",
  in: "in",
  true: "true",
  false: "false",
};
const _NUM = /^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/;
const _IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Split `src` into tokens, ending with an `eof` token. Throws {@link FilterError}.
 *
 * @example
 * ```ts
 * tokenize("not KeyExists('x')").length; // 6
 * ```
 */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const pos = i + 1;
    if (c === '"' || c === "'") {
      const [value, end] = _readString(src, i);
      out.push({ type: "str", text: src.slice(i, end), pos, value });
      i = end;
      continue;
    }
    if (c >= "0" && c <= "9") {
      const m = _NUM.exec(src.slice(i, i + 400));
      const text = m![0];
      const next = src[i + text.length];
      if (next !== undefined && /[A-Za-z_]/.test(next))
        throw new FilterError(pos, `bad number ${JSON.stringify(_clip(src.slice(i, i + text.length + 1)))}`);
      const value = Number(text);
      if (!Number.isFinite(value)) throw new FilterError(pos, `number out of range: ${_clip(text)}`);
      out.push({ type: "num", text, pos, value });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const text = _IDENT.exec(src.slice(i, i + 300))![0];
      if (text.length >= 256) throw new FilterError(pos, "identifier longer than 255 characters");
      const kw = _KEYWORDS[text.toLowerCase()];
      out.push({ type: kw ?? "ident", text, pos });
      i += text.length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === "&&" || two === "||") {
      out.push({ type: two === "&&" ? "and" : "or", text: two, pos });
      i += 2;
      continue;
    }
    if (two === "==" || two === "!=" || two === "<>" || two === "<=" || two === ">=") {
      const op = two === "==" ? "=" : two === "<>" ? "!=" : two;
      out.push({ type: "op", text: two, pos, value: op });
      i += 2;
      continue;
    }
    if (c === "=" || c === "<" || c === ">") {
      out.push({ type: "op", text: c, pos, value: c });
      i++;
      continue;
    }
    if (c === "!") {
      out.push({ type: "not", text: c, pos });
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === "[" || c === "]" || c === "," || c === ".") {
      out.push({ type: c, text: c, pos });
      i++;
      continue;
    }
    if (c === "-" && i + 1 < n && src[i + 1] >= "0" && src[i + 1] <= "9") {
      const m = _NUM.exec(src.slice(i + 1, i + 401));
      const text = `-${m![0]}`;
      const value = Number(text);
      if (!Number.isFinite(value)) throw new FilterError(pos, `number out of range: ${_clip(text)}`);
      out.push({ type: "num", text, pos, value: value === 0 ? 0 : value });
      i += text.length;
      continue;
    }
    throw new FilterError(
      pos,
      `unexpected character ${JSON.stringify(String.fromCodePoint(src.codePointAt(i)!))}`,
    );
  }
  out.push({ type: "eof", text: "", pos: n + 1 });
  return out;
}

const _ESC: Record<string, string> = {
  '"': '"',
  "'": "'",
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

function _readString(src: string, start: number): [string, number] {
  const q = src[start];
  let i = start + 1;
  let out = "";
  while (i < src.length) {
    const c = src[i];
    if (c === q) return [out, i + 1];
    if (c === "\n") break;
    if (c === "\\") {
      const e = src[i + 1];
      if (e === "u") {
        const hex = src.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex))
          throw new FilterError(i + 1, "bad \\u escape: expected 4 hex digits");
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
        continue;
      }
      const mapped = e === undefined ? undefined : _ESC[e];
      if (mapped === undefined) throw new FilterError(i + 1, `bad escape "\\${e ?? ""}" in string`);
      out += mapped;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new FilterError(start + 1, "unterminated string");
}

function _clip(s: string): string {
  return s.length > 30 ? `${s.slice(0, 30)}…` : s;
}
