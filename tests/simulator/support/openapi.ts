/**
 * Validators built from PagerDuty's official OpenAPI file (shared/reference/pagerduty/openapiv3.json), for
 * contract tests: `validateResponse` checks what the simulator answers, `validateRequest` what the portal's
 * client sends. Both return a list of violations (empty = conforms).
 *
 * Built on ajv 8 directly rather than openapi-backend: the file is 2.7 MB, and openapi-backend dereferences
 * and compiles all 465 operations up front; here the file is read once, adapted to JSON Schema once per
 * direction, and each operation's schema is compiled on first use and cached.
 *
 * OpenAPI 3.0 → JSON Schema adaptations (done on a copy, once):
 *  - `nullable: true` becomes `anyOf: [null, schema]` (ajv's own `nullable` needs a sibling `type`, which
 *    several schemas here lack);
 *  - `readOnly` properties are not required in requests, `writeOnly` ones not in responses;
 *  - `example`, `x-*`, `discriminator`, `deprecated` are annotations (ajv `strict: false` ignores them);
 *  - `$ref`s (including the spec's refs into `#/components/parameters/.../schema`) resolve inside the file;
 *  - formats: ajv-formats plus the spec's own (`url`, `tzinfo`, ...).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
// CI checks shared/ out beside the repository.
export const SPEC_PATH = path.resolve(REPO_ROOT, "../shared/reference/pagerduty/openapiv3.json");

type Json = Record<string, unknown>;
type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

/**
 * Where the spec and PagerDuty's documented behaviour disagree, the validators follow the behaviour.
 * This table is the only place such exceptions live; each cites the research notes
 * (shared/reference/pagerduty/NOTES.md).
 */
export const SPEC_EXCEPTIONS = {
  /** NOTES §2.4: GET /schedules/{id}/overrides is documented as 201 but answers 200 (a read creates nothing). */
  statusAliases: [{ operation: "GET /schedules/{id}/overrides", actual: 200, documented: 201 }],
  /**
   * NOTES §1.2: the `header_Authorization` pattern `[A-Za-z0-9]+` rejects real keys, which contain `_`, `+`
   * and `-`. Credentials are never checked against the spec.
   */
  ignoredHeaders: ["authorization"],
  /**
   * NOTES §1.2: Content-Type is "required for POST and PUT" (with a JSON body); the spec declares it
   * required on every operation, GETs and DELETEs included, which no client sends.
   */
  headersOnlyWithBody: ["content-type"],
  /**
   * NOTES §2.1: DELETE /oauth_delegations takes `type=web,mobile` (comma-separated, as the parameter's own
   * description says), while its schema is a single-value enum. Each listed value is checked.
   */
  commaSeparated: [{ operation: "DELETE /oauth_delegations", parameter: "type" }],
  /**
   * Error statuses PagerDuty answers that an operation's response list leaves out. They carry the generic
   * error body (NOTES §1.5), and are validated against it. `operation: "*"` applies to every operation.
   */
  undocumentedErrors: [
    /**
     * NOTES §1.6: the rate limit is per credential over every request (960/min), not per operation, so any
     * operation can answer 429 with code 2020; several response lists (GET /users/{id}/license,
     * /escalation_policies/{id}, /licenses, /license_allocations) omit it.
     */
    { operation: "*", status: 429 },
    /**
     * NOTES §2.1 and §2.9: deleteUser's own description says it "Returns 400 if the user has assigned
     * incidents unless your pricing plan has the `offboarding` feature"; its response list has no 400.
     */
    { operation: "DELETE /users/{id}", status: 400 },
    /**
     * NOTES §2.2 and §1.5: deleteTeam "Succeeds only if the team has no associated Escalation Policies,
     * Services, Schedules and Subteams" (code 6006, team has existing associations); its response list has
     * no 400.
     */
    { operation: "DELETE /teams/{id}", status: 400 },
    /**
     * NOTES §2.2: "team endpoints need the account's Teams ability; the plan-gated responses are 402" (the
     * concepts doc); listTeamUsers's response list omits 402 while every other team operation has it.
     */
    { operation: "GET /teams/{id}/members", status: 402 },
  ],
  /**
   * Fields PagerDuty sends as null that the schema types as non-null (response pointers into the file).
   * NOTES §2.5: "`start` and `end` are `null` for permanent on-calls, i.e. a user who is a direct EP target"
   * (the Oncall schema's own descriptions say so: "If `null`, the on-call is a permanent user on-call"), and
   * such an on-call comes from no schedule, so its `schedule` is null too.
   */
  nullable: [
    ["components", "schemas", "Oncall", "properties", "start"],
    ["components", "schemas", "Oncall", "properties", "end"],
    ["components", "schemas", "Oncall", "properties", "schedule"],
  ],
  /**
   * References that `include[]` expands into the full object (NOTES §1.4 and §2.3: "`include[]=users` expands
   * the user references into full users"; §2.5 and §2.6 list the includes of /oncalls and
   * /escalation_policies). The schemas only declare the reference. When the request had `include[]`, each
   * pointer accepts the reference or the named full schema.
   */
  expandedByInclude: [
    { at: ["paths", "/teams/{id}/members", "get", "responses", "200", "content", "application/json", "schema", "allOf", "1", "properties", "members", "items", "properties", "user"], full: "User" },
    { at: ["components", "schemas", "Oncall", "properties", "user"], full: "User" },
    { at: ["components", "schemas", "Oncall", "properties", "escalation_policy"], full: "EscalationPolicy" },
    { at: ["components", "schemas", "Oncall", "properties", "schedule"], full: "Schedule" },
    { at: ["components", "schemas", "EscalationPolicy", "allOf", "1", "properties", "teams", "items"], full: "Team" },
    { at: ["components", "schemas", "EscalationRule", "properties", "targets", "items"], full: "User" },
  ],
} as const;

/** The spec's "Generic error response from the PagerDuty API" schema (every components/responses error uses it). */
const GENERIC_ERROR_POINTER = ["components", "responses", "Conflict", "content", "application/json", "schema"];

// ---------------------------------------------------------------------------------------------------------
// Loading and adapting the file

interface Loaded {
  spec: Json;
  response: Ajv;
  /** Lazily built: the response document with `expandedByInclude` applied, in `response` as EXPANDED_DOC. */
  expanded: boolean;
  body: Ajv;
  /** Query, path and header values arrive as strings: this instance coerces them to the declared types. */
  params: Ajv;
  routes: { method: Method; template: string; pattern: RegExp; literalLength: number }[];
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const spec = JSON.parse(fs.readFileSync(SPEC_PATH, "utf8")) as Json;
  const requestDoc = adapt(spec, "request", "pd-request.json") as Json;
  const responseDoc = responseDocument(spec, RESPONSE_DOC);
  const response = newAjv(false);
  response.addSchema(responseDoc, RESPONSE_DOC);
  const body = newAjv(false);
  body.addSchema(requestDoc, "pd-request.json");
  const params = newAjv("array");
  params.addSchema(requestDoc, "pd-request.json");
  loaded = { spec, response, expanded: false, body, params, routes: routeTable(spec) };
  return loaded;
}

const RESPONSE_DOC = "pd-response.json";
const EXPANDED_DOC = "pd-response-expanded.json";

/** The response-direction copy of the file, with SPEC_EXCEPTIONS.nullable (and, for EXPANDED_DOC, expandedByInclude) applied. */
function responseDocument(spec: Json, docId: string): Json {
  const doc = adapt(spec, "response", docId) as Json;
  const patch = (at: readonly string[], change: (node: Json) => Json) => {
    // Arrays (allOf) are indexed by the same string keys.
    const parent = at.slice(0, -1).reduce<unknown>((n, key) => (typeof n === "object" && n !== null ? (n as Json)[key] : undefined), doc) as Json | undefined;
    const last = at.at(-1) as string;
    if (!parent || !isObject(parent[last])) throw new Error(`SPEC_EXCEPTIONS: nothing at ${at.join("/")}`);
    parent[last] = change(parent[last] as Json);
  };
  for (const at of SPEC_EXCEPTIONS.nullable) patch(at, (node) => ({ anyOf: [{ type: "null" }, node] }));
  if (docId === EXPANDED_DOC) {
    for (const { at, full } of SPEC_EXCEPTIONS.expandedByInclude) patch(at, (node) => ({ anyOf: [node, { $ref: `${docId}#/components/schemas/${full}` }] }));
  }
  return doc;
}

function newAjv(coerceTypes: false | "array"): Ajv {
  // allErrors: a report lists every wrong field at once; validateSchema off: the file is not a meta-schema.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes });
  addFormats(ajv);
  ajv.addFormat("url", { validate: (s: string) => URL.canParse(s) });
  ajv.addFormat("tzinfo", { validate: isTimeZone });
  // Rails zone names ("Eastern Time (US & Canada)") are accepted too; anything non-empty passes.
  ajv.addFormat("activesupport-time-zone", { validate: (s: string) => s.length > 0 });
  ajv.addFormat("partial-time", /^\d{2}:\d{2}:\d{2}(\.\d+)?$/);
  ajv.addFormat("TEXTAREA", true);
  return ajv;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A copy of the document as JSON Schema for one direction; `#/...` refs are pointed at `docId`. */
function adapt(node: unknown, direction: "request" | "response", docId: string): unknown {
  if (Array.isArray(node)) return node.map((item) => adapt(item, direction, docId));
  if (node === null || typeof node !== "object") return node;
  const source = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "$ref" && typeof value === "string" && value.startsWith("#/")) out[key] = `${docId}${value}`;
    else if (key === "nullable") continue;
    else out[key] = adapt(value, direction, docId);
  }
  const hidden = direction === "request" ? "readOnly" : "writeOnly";
  if (Array.isArray(out.required) && isObject(source.properties)) {
    const props = source.properties;
    out.required = out.required.filter((name) => !(isObject(props[name as string]) && (props[name as string] as Json)[hidden] === true));
  }
  if (source.nullable === true) return { anyOf: [{ type: "null" }, out] };
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Literal templates win over parameterised ones (`/users/me` before `/users/{id}`). */
function routeTable(spec: Json): Loaded["routes"] {
  const routes: Loaded["routes"] = [];
  for (const [template, item] of Object.entries(spec.paths as Json)) {
    for (const method of Object.keys(item as Json)) {
      if (!["get", "post", "put", "delete", "patch"].includes(method)) continue;
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "([^/]+)")}$`);
      routes.push({ method: method.toUpperCase() as Method, template, pattern, literalLength: template.replace(/\{[^}]+\}/g, "").length });
    }
  }
  return routes.sort((a, b) => b.literalLength - a.literalLength);
}

// ---------------------------------------------------------------------------------------------------------
// Walking the document

/** Follow `$ref`s within the file; returns the node and its JSON pointer. */
function resolve(spec: Json, node: unknown, pointer: string[]): { node: Json; pointer: string[] } {
  let current = node;
  let at = pointer;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string"; hops++) {
    if (hops > 20) throw new Error(`$ref loop at ${at.join("/")}`);
    at = current.$ref.slice(2).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    current = at.reduce<unknown>((n, key) => (isObject(n) ? n[key] : undefined), spec);
  }
  if (!isObject(current)) throw new Error(`nothing at ${at.join("/")}`);
  return { node: current, pointer: at };
}

/** The adapted schema object at `pointer` inside a registered document. */
function schemaAt(ajv: Ajv, docId: string, pointer: string[]): Json {
  const doc = ajv.getSchema(docId)?.schema;
  const node = pointer.reduce<unknown>((n, key) => (isObject(n) ? n[key] : undefined), doc);
  if (!isObject(node)) throw new Error(`no schema at ${docId}#/${pointer.join("/")}`);
  return node;
}

function operation(method: string, template: string): Json | undefined {
  const item = (load().spec.paths as Json)[template];
  return isObject(item) && isObject(item[method.toLowerCase()]) ? (item[method.toLowerCase()] as Json) : undefined;
}

const cache = new Map<string, ValidateFunction>();

function compiled(key: string, ajv: Ajv, docId: string, pointer: string[], wrap?: (schema: Json) => Json): ValidateFunction {
  let validate = cache.get(key);
  if (!validate) {
    const schema = schemaAt(ajv, docId, pointer);
    validate = ajv.compile(wrap ? wrap(schema) : schema);
    cache.set(key, validate);
  }
  return validate;
}

function describe(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const detail = e.keyword === "enum" ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})` : "";
    const extra = e.keyword === "additionalProperties" ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : "";
    return `${where}${e.instancePath || "/"} ${e.message ?? e.keyword}${detail}${extra}`;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Responses

export interface ResponseOptions {
  /** The request's `include[]` values: references may then be expanded (SPEC_EXCEPTIONS.expandedByInclude). */
  include?: readonly string[];
}

/**
 * Violations of the response schema the spec documents for `method pathTemplate` and `status`
 * (`pathTemplate` as written in the file, e.g. "/teams/{id}/members"). `body` is the parsed JSON, or
 * undefined when there was none (204).
 */
export function validateResponse(method: string, pathTemplate: string, status: number, body: unknown, options: ResponseOptions = {}): string[] {
  const state = load();
  const { spec, response } = state;
  const expand = (options.include?.length ?? 0) > 0;
  if (expand && !state.expanded) {
    response.addSchema(responseDocument(spec, EXPANDED_DOC), EXPANDED_DOC);
    state.expanded = true;
  }
  const docId = expand ? EXPANDED_DOC : RESPONSE_DOC;
  const name = `${method.toUpperCase()} ${pathTemplate}`;
  const op = operation(method, pathTemplate);
  if (!op) return [`${name}: no such operation in the spec`];
  const alias = SPEC_EXCEPTIONS.statusAliases.find((a) => a.operation === name && a.actual === status);
  const documented = String(alias ? alias.documented : status);
  const responses = op.responses as Json;
  const key = documented in responses ? documented : "default" in responses ? "default" : undefined;
  if (!key) {
    const excepted = SPEC_EXCEPTIONS.undocumentedErrors.some((e) => (e.operation === "*" || e.operation === name) && e.status === status);
    if (!excepted) return [`${name}: status ${status} is not documented (documented: ${Object.keys(responses).join(", ")})`];
    const validate = compiled("response generic error", response, RESPONSE_DOC, GENERIC_ERROR_POINTER);
    return validate(body) ? [] : describe(`${name} ${status}: response`, validate.errors);
  }
  const path = ["paths", pathTemplate, method.toLowerCase(), "responses", key];
  const { node: declared, pointer } = resolve(spec, responses[key], path);
  const content = declared.content as Json | undefined;
  const media = content && (content["application/json"] as Json | undefined);
  if (!media || !isObject(media.schema)) {
    return body === undefined || body === "" ? [] : [`${name} ${status}: the spec documents no body, got ${JSON.stringify(body).slice(0, 200)}`];
  }
  if (body === undefined) return [`${name} ${status}: a JSON body is documented, got none`];
  const validate = compiled(`response ${docId} ${name} ${key}`, response, docId, [...pointer, "content", "application/json", "schema"]);
  return validate(body) ? [] : describe(`${name} ${status}: response`, validate.errors);
}

/** The HTTP statuses the spec documents for an operation (`default` left out); empty when there is no such operation. */
export function documentedStatuses(method: string, pathTemplate: string): number[] {
  const op = operation(method, pathTemplate);
  return op ? Object.keys(op.responses as Json).filter((k) => /^\d{3}$/.test(k)).map(Number) : [];
}

// ---------------------------------------------------------------------------------------------------------
// Requests

export interface MatchedOperation {
  method: Method;
  template: string;
  params: Record<string, string>;
}

/** The spec operation a concrete method + path belongs to. */
export function matchOperation(method: string, pathname: string): MatchedOperation | undefined {
  for (const route of load().routes) {
    if (route.method !== method.toUpperCase()) continue;
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1] as string)]));
    return { method: route.method, template: route.template, params };
  }
  return undefined;
}

type HeaderSource = Headers | Record<string, string | undefined> | [string, string][];

function headerMap(headers: HeaderSource | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const entries = headers instanceof Headers ? [...headers.entries()] : Array.isArray(headers) ? headers : Object.entries(headers ?? {});
  for (const [k, v] of entries) if (v !== undefined) out.set(k.toLowerCase(), v);
  return out;
}

/**
 * Violations of the spec by a request: the operation must exist; path, query and header parameters must be
 * declared and match their schemas (required ones present; `name[]` parameters may repeat and each value is
 * checked); the JSON body must match the request body schema. `baseUrl`'s path prefix, if any, is ignored.
 */
export function validateRequest(method: string, url: string | URL, headers: HeaderSource | undefined, body: unknown, baseUrl?: string): string[] {
  const { spec, params: paramAjv, body: bodyAjv } = load();
  const parsed = new URL(url);
  const prefix = baseUrl ? new URL(baseUrl).pathname.replace(/\/+$/, "") : "";
  const pathname = parsed.pathname.slice(prefix.length) || "/";
  const match = matchOperation(method, pathname);
  if (!match) return [`${method.toUpperCase()} ${pathname}: no such operation in the spec`];
  const name = `${match.method} ${match.template}`;
  const op = operation(match.method, match.template) as Json;
  const itemParams = ((spec.paths as Json)[match.template] as Json).parameters;
  const declared = [
    ...((Array.isArray(itemParams) ? itemParams : []) as unknown[]).map((p, i) => resolve(spec, p, ["paths", match.template, "parameters", String(i)])),
    ...((Array.isArray(op.parameters) ? op.parameters : []) as unknown[]).map((p, i) => resolve(spec, p, ["paths", match.template, match.method.toLowerCase(), "parameters", String(i)])),
  ];
  const violations: string[] = [];
  const sent = headerMap(headers);
  const hasBody = body !== undefined && body !== null && body !== "";
  const query = parsed.searchParams;
  const knownQuery = new Set<string>();

  for (const { node: param, pointer } of declared) {
    const pname = param.name as string;
    const where = param.in as string;
    let values: string[] | undefined;
    if (where === "path") values = match.params[pname] === undefined ? undefined : [match.params[pname] as string];
    else if (where === "query") {
      knownQuery.add(pname);
      values = query.has(pname) ? query.getAll(pname) : undefined;
    } else if (where === "header") {
      const lower = pname.toLowerCase();
      if ((SPEC_EXCEPTIONS.ignoredHeaders as readonly string[]).includes(lower)) continue;
      if ((SPEC_EXCEPTIONS.headersOnlyWithBody as readonly string[]).includes(lower) && !hasBody) continue;
      const value = sent.get(lower);
      // A media type's parameters (`; charset=utf-8`) do not change it.
      values = value === undefined ? undefined : [lower === "content-type" ? (value.split(";")[0] as string).trim() : value];
    } else continue;

    if (values === undefined) {
      if (param.required === true) violations.push(`${name}: required ${where} parameter "${pname}" is missing`);
      continue;
    }
    const schema = param.schema as Json | undefined;
    const isArray = schema?.type === "array";
    // `name[]` parameters repeat (NOTES §1.4); the spec types several of them as the item (include[]).
    const repeats = isArray || pname.endsWith("[]");
    if (!repeats && values.length > 1) violations.push(`${name}: ${where} parameter "${pname}" is repeated`);
    if (SPEC_EXCEPTIONS.commaSeparated.some((c) => c.operation === name && c.parameter === pname)) values = values.flatMap((v) => v.split(","));
    if (isArray && param.explode === false) values = values.flatMap((v) => v.split(","));
    const data: unknown = repeats || values.length > 1 ? values : values[0];
    const listOfItems = repeats && !isArray;
    const wrapItems = (s: Json): Json => (listOfItems || (!repeats && values!.length > 1) ? { type: "array", items: s } : s);
    const validate = compiled(`param ${name} ${where} ${pname} ${listOfItems || values.length > 1}`, paramAjv, "pd-request.json", [...pointer, "schema"], wrapItems);
    if (!validate(data)) violations.push(...describe(`${name}: ${where} parameter "${pname}"`, validate.errors));
  }

  for (const key of new Set(query.keys())) {
    if (!knownQuery.has(key)) violations.push(`${name}: query parameter "${key}" is not declared by the operation`);
  }

  violations.push(...validateBody(spec, bodyAjv, name, match, op, body, hasBody, sent));
  return violations;
}

function validateBody(spec: Json, ajv: Ajv, name: string, match: MatchedOperation, op: Json, body: unknown, hasBody: boolean, sent: Map<string, string>): string[] {
  if (!op.requestBody) return hasBody ? [`${name}: the operation takes no request body, got one`] : [];
  const { node: requestBody, pointer } = resolve(spec, op.requestBody, ["paths", match.template, match.method.toLowerCase(), "requestBody"]);
  if (!hasBody) return requestBody.required === true ? [`${name}: the request body is required`] : [];
  const contentType = (sent.get("content-type") ?? "").split(";")[0]?.trim();
  if (contentType !== "application/json") return [`${name}: a JSON body needs Content-Type application/json, got "${contentType ?? ""}"`];
  let data = body;
  if (typeof body === "string") {
    try {
      data = JSON.parse(body);
    } catch {
      return [`${name}: the request body is not JSON`];
    }
  }
  const media = (requestBody.content as Json | undefined)?.["application/json"];
  if (!isObject(media) || !isObject(media.schema)) return [];
  const validate = compiled(`body ${name}`, ajv, "pd-request.json", [...pointer, "content", "application/json", "schema"]);
  return validate(data) ? [] : describe(`${name}: request body`, validate.errors);
}

// ---------------------------------------------------------------------------------------------------------
// A fetch that checks what passes through it

export interface SpecCheckedFetch {
  fetch: typeof fetch;
  /** Every violation seen so far, requests and responses. */
  violations: string[];
  /** "METHOD template" of every request made, for coverage assertions. */
  operations: string[];
}

/**
 * Wraps `fetch`: each outgoing request is validated against the spec before it is forwarded, and each
 * answer against the documented response. Requests to paths outside the spec (the OAuth token endpoint,
 * `/__sim/`) pass unchecked.
 */
export function specCheckedFetch(baseUrl: string, inner: typeof fetch = globalThis.fetch): SpecCheckedFetch {
  const violations: string[] = [];
  const operations: string[] = [];
  const checked = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const prefix = new URL(baseUrl).pathname.replace(/\/+$/, "");
    const pathname = new URL(url).pathname.slice(prefix.length);
    const match = url.startsWith(baseUrl) && !pathname.startsWith("/oauth/") ? matchOperation(method, pathname) : undefined;
    if (!match) return inner(input, init);
    operations.push(`${match.method} ${match.template}`);
    const headers = init?.headers ?? (input instanceof Request ? input.headers : undefined);
    violations.push(...validateRequest(method, url, new Headers(headers), typeof init?.body === "string" ? init.body : undefined, baseUrl));
    const response = await inner(input, init);
    const text = await response.clone().text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      violations.push(`${method} ${match.template} ${response.status}: the response is not JSON`);
    }
    violations.push(...validateResponse(method, match.template, response.status, body, { include: new URL(url).searchParams.getAll("include[]") }));
    return response;
  };
  return { fetch: checked as typeof fetch, violations, operations };
}
