/**
 * Test fixture of the config checks: a directory with one object of every object type, so a
 * test can open any stat type on any object type it lists. Not part of the public API.
 *
 * @example
 * ```ts
 * const cfg = loadEngineConfig(ONE_OF_EACH_TOML);
 * ONE_OF_EACH_ID.Place; // "p1"
 * ```
 * @module
 */
import type { ObjectType } from "../definitions.ts";

/** The id of the one object of each type in {@link ONE_OF_EACH_TOML}. */
export const ONE_OF_EACH_ID: Readonly<Record<ObjectType, string>> = {
  Tenant: "t1",
  Agent: "a1",
  Place: "p1",
  GroupAgents: "ga1",
  GroupPlaces: "gp1",
  RegDN: "7001",
  Queue: "8001",
  RoutePoint: "9001",
  GroupQueues: "gq1",
};

/** `[directory]` with one tenant, agent, place, agent group, place group, extension, queue, routing point, queue group. */
export const ONE_OF_EACH_TOML = `
[directory]
tenants = [{ id = "t1" }]
places = [{ id = "p1" }]
agents = [{ id = "a1" }]
dns = [
  { id = "7001", type = "Extension", place = "p1" },
  { id = "8001", type = "ACDQueue" },
  { id = "9001", type = "RoutingPoint" },
]
agentGroups = [{ id = "ga1", agents = ["a1"], originationDns = ["8001"] }]
placeGroups = [{ id = "gp1", places = ["p1"] }]
queueGroups = [{ id = "gq1", dns = ["8001"] }]
`;
