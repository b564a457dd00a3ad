/**
 * Name templates for `[[directory.generate]]`: text with `{EXPR}` or `{EXPR:WIDTH}` holes, where
 * EXPR is integer arithmetic over `n` (`+ - * / %`, parentheses; `/` is floor division) and
 * WIDTH zero-pads the number. `{{` and `}}` are literal braces.
 *
 * @example
 * ```ts
 * import { compileTemplate } from "./template.ts";
 * const t = compileTemplate("agent{n:3}");
 * t(7); // "agent007"
 * compileTemplate("group{(n-1)%3+1}")(4); // "group1"
 * ```
 * @module
 */

/** Thrown on a bad template; one-line message. */
export class TemplateError extends Error {
  override name = "TemplateError";
}

type Num = (n: number) => number;

/**
 * Compile a template into a function of `n`. Throws {@link TemplateError}.
 *
 * @example
 * ```ts
 * compileTemplate("{7000+n}")(12); // "7012"
 * ```
 */
export function compileTemplate(text: string): (n: number) => string {
  if (text.length > 256) throw new TemplateError("template longer than 256 characters");
  const parts: (string | { f: Num; width: number })[] = [];
  let lit = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "{" && text[i + 1] === "{") {
      lit += "{";
      i += 2;
    } else if (c === "}" && text[i + 1] === "}") {
      lit += "}";
      i += 2;
    } else if (c === "}") {
      throw new TemplateError(
        `unmatched "}" at ${i + 1} in template ${JSON.stringify(text)} (write "}}" for a literal brace)`,
      );
    } else if (c === "{") {
      const end = text.indexOf("}", i);
      if (end < 0) throw new TemplateError(`unclosed "{" at ${i + 1} in template ${JSON.stringify(text)}`);
      const body = text.slice(i + 1, end);
      const colon = body.lastIndexOf(":");
      let width = 0;
      let expr = body;
      if (colon >= 0) {
        const w = body.slice(colon + 1).trim();
        if (!/^[0-9]{1,2}$/.test(w))
          throw new TemplateError(
            `bad width ${JSON.stringify(w)} in template ${JSON.stringify(text)}: expected 1-20`,
          );
        width = Number(w);
        if (width < 1 || width > 20)
          throw new TemplateError(`bad width ${width} in template ${JSON.stringify(text)}: expected 1-20`);
        expr = body.slice(0, colon);
      }
      if (lit) parts.push(lit);
      lit = "";
      parts.push({ f: _compileExpr(expr, text), width });
      i = end + 1;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) parts.push(lit);
  return (n) => {
    let out = "";
    for (const p of parts) {
      if (typeof p === "string") out += p;
      else {
        const v = p.f(n);
        if (!Number.isSafeInteger(v))
          throw new TemplateError(
            `template ${JSON.stringify(text)} gives ${v} for n=${n} (division by zero?)`,
          );
        const s = String(Math.abs(v)).padStart(p.width, "0");
        out += v < 0 ? `-${s}` : s;
      }
    }
    return out;
  };
}

function _compileExpr(src: string, whole: string): Num {
  const toks = src.match(/\s*(?:[0-9]+|n|[-+*/%()]|\S)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  let depth = 0;
  const fail = (why: string): never => {
    throw new TemplateError(
      `bad expression ${JSON.stringify(src.trim())} in template ${JSON.stringify(whole)}: ${why}`,
    );
  };
  const primary = (): Num => {
    const t = toks[i++];
    if (t === undefined) return fail("unexpected end");
    if (t === "n") return (n) => n;
    if (/^[0-9]+$/.test(t)) {
      const k = Number(t);
      if (!Number.isSafeInteger(k)) fail(`number too large: ${t}`);
      return () => k;
    }
    if (t === "-") {
      const f = primary();
      return (n) => -f(n);
    }
    if (t === "(") {
      if (++depth > 16) fail("nested too deeply");
      const f = sum();
      if (toks[i++] !== ")") fail('expected ")"');
      depth--;
      return f;
    }
    return fail(`unexpected ${JSON.stringify(t)} (use n, integers, + - * / % and parentheses)`);
  };
  const product = (): Num => {
    let f = primary();
    while (toks[i] === "*" || toks[i] === "/" || toks[i] === "%") {
      const op = toks[i++];
      const l = f;
      const r = primary();
      f =
        op === "*"
          ? (n) => l(n) * r(n)
          : op === "/"
            ? (n) => Math.floor(l(n) / r(n))
            : (n) => {
                const d = r(n);
                return ((l(n) % d) + d) % d;
              };
    }
    return f;
  };
  const sum = (): Num => {
    let f = product();
    while (toks[i] === "+" || toks[i] === "-") {
      const op = toks[i++];
      const l = f;
      const r = product();
      f = op === "+" ? (n) => l(n) + r(n) : (n) => l(n) - r(n);
    }
    return f;
  };
  if (toks.length === 0) fail("empty");
  const f = sum();
  if (i < toks.length) fail(`unexpected ${JSON.stringify(toks[i])}`);
  return f;
}
