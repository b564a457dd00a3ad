/**
 * The filter language: `PairExists("Language","Spanish") and callType = "Inbound"`.
 *
 * @example
 * ```ts
 * import { compileFilter } from "./mod.ts";
 * compileFilter('KeyExists("VIP")').evaluate({ userData: { VIP: 1 } }); // true
 * ```
 * @module
 */
export * from "./ast.ts";
export * from "./compile.ts";
export { FilterError, type Token, type TokenType, tokenize } from "./lexer.ts";
export { FILTER_CALL_TYPES, parseFilter } from "./parser.ts";
export { printFilter } from "./print.ts";
