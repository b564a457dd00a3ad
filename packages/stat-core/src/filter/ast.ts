/**
 * The filter language's syntax tree (see `parser.ts` for the grammar) and the input it is
 * evaluated against.
 *
 * @example
 * ```ts
 * import type { FilterExpr } from "./ast.ts";
 * const e: FilterExpr = { kind: "call", fn: "KeyExists", args: ["Segment"] };
 * ```
 * @module
 */

/** Scalar attributes a filter may read directly. */
export const FILTER_ATTRIBUTES = [
  "callType",
  "thisDN",
  "otherDN",
  "thisQueue",
  "agentId",
  "ani",
  "dnis",
  "workMode",
] as const;
export type FilterAttribute = (typeof FILTER_ATTRIBUTES)[number];

/** Key-value attributes a filter reads by key (`userData.Segment`, `reasons["Reason Code"]`). */
export const FILTER_MAPS = ["userData", "reasons"] as const;
export type FilterMap = (typeof FILTER_MAPS)[number];

/** Functions of the language. `PairExists(k, v)` / `KeyExists(k)` look in userData. */
export const FILTER_FUNCTIONS = ["PairExists", "KeyExists"] as const;
export type FilterFunction = (typeof FILTER_FUNCTIONS)[number];

/** Attributes available on an action (a `TEvent` fits structurally). */
export interface FilterInput {
  callType?: string;
  thisDN?: string;
  otherDN?: string;
  thisQueue?: string;
  agentId?: string;
  ani?: string;
  dnis?: string;
  workMode?: string;
  userData?: Readonly<Record<string, string | number>>;
  reasons?: Readonly<Record<string, string | number>>;
}

/** A literal value. */
export type FilterLiteral = { kind: "str"; value: string } | { kind: "num"; value: number };

/** An attribute reference: a scalar attribute, or a key in userData/reasons. */
export type FilterRef =
  | { kind: "attr"; name: FilterAttribute }
  | { kind: "key"; map: FilterMap; key: string };

/** Either side of a comparison. */
export type FilterOperand = FilterLiteral | FilterRef;

/** Comparison operators (`==` is read as `=`, `<>` as `!=`). */
export type FilterOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** A filter expression. `and`/`or` hold two or more items. */
export type FilterExpr =
  | { kind: "and"; items: FilterExpr[] }
  | { kind: "or"; items: FilterExpr[] }
  | { kind: "not"; expr: FilterExpr }
  | { kind: "cmp"; op: FilterOp; left: FilterOperand; right: FilterOperand }
  | { kind: "in"; negated: boolean; left: FilterOperand; values: FilterLiteral[] }
  | { kind: "call"; fn: FilterFunction; args: (string | number)[] }
  | { kind: "bool"; value: boolean };

/** Source limits: hostile input is refused before it can exhaust memory or the stack. */
export const FILTER_LIMITS = { maxBytes: 4096, maxDepth: 64, maxListItems: 1024 } as const;
