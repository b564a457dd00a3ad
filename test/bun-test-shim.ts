/**
 * A small `bun:test` shim for Deno, so the portable packages run the same test files under
 * `bun test` and `deno test` (docs/architecture.md "Invariants" 7). deno.json maps `bun:test` to this file.
 *
 * `describe` blocks are flattened into `Deno.test` names ("outer > inner > test"); hooks run per
 * test in declaration order, outer scopes first (the same order `bun test` uses). `expect` is
 * Jest's `expect` package, which offers the matchers Bun's `expect` implements.
 *
 * @example
 * ```ts
 * import { describe, expect, test } from "bun:test";
 * describe("ring", () => test("wraps", () => expect(1 + 1).toBe(2)));
 * ```
 */
import { expect as jestExpect } from "expect";

type Fn = () => void | Promise<void>;
interface Scope {
  name: string;
  parent: Scope | undefined;
  beforeAll: Fn[];
  afterAll: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
  tests: number;
  done: number;
  ranBeforeAll: boolean;
}

declare const Deno: {
  test(def: {
    name: string;
    fn: () => Promise<void>;
    ignore?: boolean;
    sanitizeOps?: boolean;
    sanitizeResources?: boolean;
  }): void;
};

const root: Scope = newScope("", undefined);
let current: Scope = root;

function newScope(name: string, parent: Scope | undefined): Scope {
  return {
    name,
    parent,
    beforeAll: [],
    afterAll: [],
    beforeEach: [],
    afterEach: [],
    tests: 0,
    done: 0,
    ranBeforeAll: false,
  };
}

function chain(scope: Scope): Scope[] {
  const out: Scope[] = [];
  for (let s: Scope | undefined = scope; s; s = s.parent) out.unshift(s);
  return out;
}

function fullName(scope: Scope, name: string): string {
  return [
    ...chain(scope)
      .map((s) => s.name)
      .filter(Boolean),
    name,
  ].join(" > ");
}

function register(name: string, fn: Fn, ignore = false): void {
  const scope = current;
  for (const s of chain(scope)) s.tests++;
  Deno.test({
    name: fullName(scope, name),
    ignore,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const scopes = chain(scope);
      for (const s of scopes) {
        if (!s.ranBeforeAll) {
          s.ranBeforeAll = true;
          for (const h of s.beforeAll) await h();
        }
      }
      try {
        for (const s of scopes) for (const h of s.beforeEach) await h();
        await fn();
      } finally {
        for (const s of [...scopes].reverse()) for (const h of s.afterEach) await h();
        for (const s of [...scopes].reverse()) {
          s.done++;
          if (s.done === s.tests) for (const h of s.afterAll) await h();
        }
      }
    },
  });
}

type TestFn = ((name: string, fn: Fn, timeout?: number) => void) & {
  skip: (name: string, fn: Fn, timeout?: number) => void;
  todo: (name: string, fn?: Fn) => void;
  each: <T>(rows: readonly T[]) => (name: string, fn: (row: T) => void | Promise<void>) => void;
};

function makeTest(): TestFn {
  const t = ((name: string, fn: Fn) => register(name, fn)) as TestFn;
  t.skip = (name, fn) => register(name, fn, true);
  t.todo = (name) => register(name, () => {}, true);
  t.each =
    <T>(rows: readonly T[]) =>
    (name: string, fn: (row: T) => void | Promise<void>) => {
      rows.forEach((row, i) => {
        register(`${name} [${i}]`, () => fn(row));
      });
    };
  return t;
}

export const test: TestFn = makeTest();
export const it: TestFn = test;

export function describe(name: string, body: () => void): void {
  const parent = current;
  current = newScope(name, parent);
  try {
    body();
  } finally {
    current = parent;
  }
}
describe.skip = (name: string, _body: () => void): void => {
  register(`${name} (skipped)`, () => {}, true);
};

export function beforeAll(fn: Fn): void {
  current.beforeAll.push(fn);
}
export function afterAll(fn: Fn): void {
  current.afterAll.push(fn);
}
export function beforeEach(fn: Fn): void {
  current.beforeEach.push(fn);
}
export function afterEach(fn: Fn): void {
  current.afterEach.push(fn);
}

export const expect: typeof jestExpect = jestExpect;
