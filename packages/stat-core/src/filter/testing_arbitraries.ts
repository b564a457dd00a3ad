/**
 * fast-check arbitraries for filter expressions and inputs (test helper, not exported by mod.ts).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbExpr } from "./testing_arbitraries.ts";
 * fc.sample(arbExpr, 1);
 * ```
 * @module
 */
import fc from "fast-check";
import {
  FILTER_ATTRIBUTES,
  type FilterExpr,
  type FilterInput,
  type FilterLiteral,
  type FilterOperand,
} from "./ast.ts";
import { FILTER_CALL_TYPES } from "./parser.ts";

const _keys = ["Segment", "Language", "P", "Reason Code", "in"];
const _strs = ["Gold", "Spanish", "5", "555", "Inbound", "Lunch", "", 'q"uote', "é\n"];
const _nums = [5, 0, -1, 2.5, 1e21];

const arbLiteral: fc.Arbitrary<FilterLiteral> = fc.oneof(
  fc.constantFrom(..._strs).map((value) => ({ kind: "str" as const, value })),
  fc.constantFrom(..._nums).map((value) => ({ kind: "num" as const, value })),
);
const arbNum: fc.Arbitrary<FilterLiteral> = fc
  .constantFrom(..._nums)
  .map((value) => ({ kind: "num" as const, value }));
const arbRef: fc.Arbitrary<FilterOperand> = fc.oneof(
  fc
    .constantFrom(...FILTER_ATTRIBUTES.filter((a) => a !== "callType"))
    .map((name) => ({ kind: "attr" as const, name })),
  fc.record({
    kind: fc.constant("key" as const),
    map: fc.constantFrom("userData" as const, "reasons" as const),
    key: fc.constantFrom(..._keys),
  }),
);

const arbLeaf: fc.Arbitrary<FilterExpr> = fc.oneof(
  fc.record({
    kind: fc.constant("cmp" as const),
    op: fc.constantFrom("=" as const, "!=" as const),
    left: arbRef,
    right: arbLiteral,
  }),
  fc.record({
    kind: fc.constant("cmp" as const),
    op: fc.constantFrom("<" as const, "<=" as const, ">" as const, ">=" as const),
    left: arbRef,
    right: arbNum,
  }),
  fc.record({
    kind: fc.constant("cmp" as const),
    op: fc.constantFrom("=" as const, "!=" as const),
    left: fc.constant({ kind: "attr" as const, name: "callType" as const }),
    right: fc.constantFrom(...FILTER_CALL_TYPES).map((value) => ({ kind: "str" as const, value })),
  }),
  fc.record({
    kind: fc.constant("in" as const),
    negated: fc.boolean(),
    left: arbRef,
    values: fc.array(arbLiteral, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant("call" as const),
    fn: fc.constant("KeyExists" as const),
    args: fc.tuple(fc.constantFrom(..._keys)),
  }),
  fc.record({
    kind: fc.constant("call" as const),
    fn: fc.constant("PairExists" as const),
    args: fc.tuple(fc.constantFrom(..._keys), fc.oneof(fc.constantFrom(..._strs), fc.constantFrom(..._nums))),
  }),
  fc.boolean().map((value) => ({ kind: "bool" as const, value })),
);

/** Random well-formed expressions (and/or with ≥ 2 items, depth ≤ 4). */
export const arbExpr: fc.Arbitrary<FilterExpr> = fc.letrec<{ e: FilterExpr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true, maxDepth: 4 },
    arbLeaf,
    fc.record({ kind: fc.constant("not" as const), expr: tie("e") }),
    fc.record({
      kind: fc.constant("and" as const),
      items: fc.array(tie("e"), { minLength: 2, maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant("or" as const),
      items: fc.array(tie("e"), { minLength: 2, maxLength: 3 }),
    }),
  ),
})).e;

const _val = fc.oneof(fc.constantFrom(..._strs), fc.constantFrom(..._nums));
const _map = fc.dictionary(fc.constantFrom(..._keys), _val, { maxKeys: 3 });

/** Random inputs over the same small value domains, so comparisons often hit. */
export const arbInput: fc.Arbitrary<FilterInput> = fc.record(
  {
    callType: fc.constantFrom(...FILTER_CALL_TYPES),
    thisDN: fc.constantFrom(..._strs),
    otherDN: fc.constantFrom(..._strs),
    thisQueue: fc.constantFrom("8001", "8002", "5"),
    agentId: fc.constantFrom(..._strs),
    ani: fc.constantFrom(..._strs),
    dnis: fc.constantFrom(..._strs),
    workMode: fc.constantFrom("AfterCallWork", "AuxWork"),
    userData: _map,
    reasons: _map,
  },
  { requiredKeys: [] },
);
