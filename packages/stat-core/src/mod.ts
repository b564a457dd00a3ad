/**
 * stat-core: the portable statistics engine.
 * @module
 */
export * from "./definitions.ts";
