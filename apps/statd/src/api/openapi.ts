/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the API. Its schemas are generated with
 * `@valibot/to-json-schema` from the very valibot schemas the server validates with
 * (`schemas.ts`); only the list of paths is written here. The `check` actions (such as "exactly
 * one of statType and definition") have no JSON Schema form and appear as descriptions.
 *
 * @example
 * ```ts
 * const doc = openApiDocument({ version: "0.1.0" });
 * doc.openapi; // "3.1.0"
 * ```
 * @module
 */
import { toJsonSchemaDefs } from "@valibot/to-json-schema";
import * as S from "./schemas.ts";

type _Json = Record<string, unknown>;

const _ref = (name: string): _Json => ({ $ref: `#/components/schemas/${name}` });
const _json = (name: string, description: string): _Json => ({
  description,
  content: { "application/json": { schema: _ref(name) } },
});
const _err = (description: string): _Json => _json("ErrorBody", description);
const _idParam = { name: "id", in: "path", required: true, schema: { type: "string", maxLength: 256 } };

/** Every schema the document names, by component name. */
const _components = {
  OpenBody: S.OpenBody,
  QueryBody: S.QueryBody,
  ObjectRef: S.ObjectRef,
  Definition: S.Definition,
  Notification: S.Notification,
  Value: S.Value,
  ErrorBody: S.ErrorBody,
  OpenedResponse: S.OpenedResponse,
  PeekResponse: S.PeekResponse,
  QueryResult: S.QueryResult,
  QueryResponse: S.QueryResponse,
  HealthResponse: S.HealthResponse,
  ReadyResponse: S.ReadyResponse,
  AckResponse: S.AckResponse,
  ObjectRow: S.ObjectRow,
  ObjectsResponse: S.ObjectsResponse,
  ProfileResponse: S.ProfileResponse,
  ClusterResponse: S.ClusterResponse,
  ClientMessage: S.ClientMessage,
  ServerMessage: S.ServerMessage,
};

function _schemas(): Record<string, unknown> {
  return toJsonSchemaDefs(_components, {
    target: "draft-2020-12",
    typeMode: "input",
    errorMode: "ignore",
    overrideRef: (c) => `#/components/schemas/${c.referenceId}`,
  });
}

const _common = {
  "401": _err("missing or wrong bearer token"),
  "500": _err("internal error"),
};

function _paths(): _Json {
  const withId = (op: _Json): _Json => ({ parameters: [_idParam], ...op });
  return {
    "/healthz": {
      get: {
        summary: "Liveness (never needs a token)",
        security: [],
        responses: { "200": _json("HealthResponse", "the process is up") },
      },
    },
    "/readyz": {
      get: {
        summary: "Readiness: every instance up and every SIP session registered",
        responses: {
          "200": _json("ReadyResponse", "ready"),
          "503": _json("ReadyResponse", "not ready, with the reasons"),
          ..._common,
        },
      },
    },
    "/v1/cluster": {
      get: {
        summary: "Instances, SIP sessions, bus counters",
        responses: { "200": _json("ClusterResponse", "the cluster"), ..._common },
      },
    },
    "/v1/profile": {
      get: {
        summary: "Stat types, time profiles, time ranges, filters",
        responses: { "200": _json("ProfileResponse", "the profile"), ..._common },
      },
    },
    "/v1/objects": {
      get: {
        summary: "The directory, with each object's current status where it has one",
        parameters: [
          { name: "type", in: "query", schema: { type: "string" }, description: "an object type" },
          { name: "tenant", in: "query", schema: { type: "string" }, description: "a tenant id" },
        ],
        responses: {
          "200": _json("ObjectsResponse", "the objects"),
          "400": _err("unknown type"),
          "403": _err("another tenant than the token's"),
          ..._common,
        },
      },
    },
    "/v1/statistics": {
      post: {
        summary: "Open a statistic",
        requestBody: { required: true, content: { "application/json": { schema: _ref("OpenBody") } } },
        responses: {
          "201": _json("OpenedResponse", "opened"),
          "400": _err("bad JSON or a bad body (details list the fields)"),
          "403": _err("the object belongs to another tenant"),
          "404": _err("unknown object"),
          "413": _err("body too large"),
          ..._common,
        },
      },
    },
    "/v1/statistics/{id}": {
      get: withId({
        summary: "Peek: the current value",
        responses: {
          "200": _json("PeekResponse", "the value"),
          "403": _err("another tenant's statistic"),
          "404": _err("unknown statistic"),
          ..._common,
        },
      }),
      delete: withId({
        summary: "Close",
        responses: {
          "200": _json("AckResponse", "closed"),
          "403": _err("another tenant's"),
          "404": _err("unknown"),
          ..._common,
        },
      }),
    },
    "/v1/statistics/{id}/suspend": {
      post: withId({
        summary: "Pause notifications",
        responses: {
          "200": _json("AckResponse", "suspended"),
          "403": _err("another tenant's"),
          "404": _err("unknown"),
          ..._common,
        },
      }),
    },
    "/v1/statistics/{id}/resume": {
      post: withId({
        summary: "Resume notifications",
        responses: {
          "200": _json("AckResponse", "resumed"),
          "403": _err("another tenant's"),
          "404": _err("unknown"),
          ..._common,
        },
      }),
    },
    "/v1/statistics/{id}/events": {
      get: withId({
        summary: "Server-sent events: the current value, then every notification (event `info`)",
        responses: {
          "200": {
            description: "an event stream",
            content: { "text/event-stream": { schema: _ref("PeekResponse") } },
          },
          "403": _err("another tenant's"),
          "404": _err("unknown"),
          ..._common,
        },
      }),
    },
    "/v1/query": {
      post: {
        summary: "One-shot get of one statistic or of an array of them",
        requestBody: { required: true, content: { "application/json": { schema: _ref("QueryBody") } } },
        responses: {
          "200": _json("QueryResponse", "the value (or one result per item, in order)"),
          "400": _err("bad JSON or a bad body"),
          "403": _err("an object of another tenant"),
          "413": _err("body too large"),
          ..._common,
        },
      },
    },
    "/v1/stream": {
      get: {
        summary:
          "WebSocket stream (see docs/api.md): client messages ClientMessage, server messages ServerMessage",
        responses: {
          "101": { description: "switching protocols" },
          "426": _err("not a WebSocket upgrade"),
          ..._common,
        },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus text exposition of every instance's counters",
        responses: {
          "200": { description: "metrics", content: { "text/plain": { schema: { type: "string" } } } },
          ..._common,
        },
      },
    },
    "/openapi.json": {
      get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" }, ..._common } },
    },
    "/docs": {
      get: {
        summary: "A page to read this document",
        responses: { "200": { description: "HTML" }, ..._common },
      },
    },
  };
}

/** The OpenAPI 3.1 document; see the module doc. */
export function openApiDocument(opts: { version?: string; title?: string } = {}): _Json {
  return {
    openapi: "3.1.0",
    info: {
      title: opts.title ?? "statd API",
      version: opts.version ?? "0.1.0",
      description:
        "Real-time contact-center statistics. Errors are {error:{code,message,details?}}; see docs/api.md for the WebSocket protocol.",
    },
    security: [{ bearer: [] }],
    paths: _paths(),
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: _schemas(),
    },
  };
}
