/**
 * Audit records (NOTES §2.8): the account-wide feed `GET /audit/records` and the per-resource feeds. Newest
 * first, cursor paged. The cursor holds the storage position of the last record served; records are only ever
 * appended, so a page boundary never shifts when new records arrive between pages (they are newer than the
 * first page and belong to a later query).
 */
import type { SimAuditRecord } from "../core/model";
import { forbidden, invalidInput, notFound } from "../http/errors";
import { CURSOR_DEFAULT_LIMIT, CURSOR_MAX_LIMIT, decodeCursor, encodeCursor } from "../http/pagination";
import { defineRoutes, type RouteDef, type SimContext, type SimRequest } from "../http/route";
import { dateParam, requireAbility } from "./params";

const HOUR_MS = 3_600_000;
const MAX_WINDOW_MS = 31 * 24 * HOUR_MS;

const ROOT_TYPES: Record<string, string> = {
  users: "user_reference",
  teams: "team_reference",
  schedules: "schedule_reference",
  escalation_policies: "escalation_policy_reference",
  services: "service_reference",
  ip_allow_lists: "ip_allow_list_reference",
};
const ACTIONS = ["create", "update", "delete"];
const ACTOR_TYPES = ["user_reference", "api_key_reference", "app_reference"];
const METHOD_TYPES = ["browser", "oauth", "api_token", "identity_provider", "other"];

type Filter = (record: SimAuditRecord) => boolean;

function oneOf(name: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) throw invalidInput(`${name} must be one of ${allowed.join(", ")}`);
  return value;
}

/** since/until with PagerDuty's defaults (now−24h, now) and its 31-day limit. */
function window(req: SimRequest, ctx: SimContext): { since: number; until: number } {
  const until = dateParam(req, "until") ?? ctx.clock.now();
  const since = dateParam(req, "since") ?? until - 24 * HOUR_MS;
  if (until < since) throw invalidInput("until must not be before since");
  if (until - since > MAX_WINDOW_MS) throw invalidInput("The date range may not be more than 31 days: until must be no more than 31 days after since");
  return { since, until };
}

function limitParam(req: SimRequest): number {
  const raw = req.query.get("limit");
  if (raw === null || raw === "") return CURSOR_DEFAULT_LIMIT;
  if (!/^\d+$/.test(raw)) throw invalidInput("limit must be a non-negative integer");
  return Math.min(Math.max(Number(raw), 1), CURSOR_MAX_LIMIT);
}

/** Walks the records newest first from the cursor, keeping those in the window that pass every filter. */
function page(req: SimRequest, ctx: SimContext, filters: Filter[]) {
  const { since, until } = window(req, ctx);
  const limit = limitParam(req);
  const records = ctx.state.data.auditRecords;
  const cursor = req.query.get("cursor");
  const before = cursor ? Math.min(decodeCursor(cursor), records.length) : records.length;
  const served: SimAuditRecord[] = [];
  let lastIndex = -1;
  let more = false;
  for (let i = before - 1; i >= 0; i--) {
    const record = records[i] as SimAuditRecord;
    const t = Date.parse(record.execution_time);
    // Stored in execution order: everything further back is older still.
    if (t < since) break;
    if (t > until || !filters.every((f) => f(record))) continue;
    if (served.length === limit) {
      more = true;
      break;
    }
    served.push(record);
    lastIndex = i;
  }
  return { status: 200, body: { records: served, limit, next_cursor: more ? encodeCursor(lastIndex) : null } };
}

function accountFilters(req: SimRequest): Filter[] {
  const q = req.query;
  const filters: Filter[] = [];
  const rootTypes = q.getAll("root_resource_types[]").map((t) => ROOT_TYPES[oneOf("root_resource_types[]", t, Object.keys(ROOT_TYPES))] as string);
  if (rootTypes.length) filters.push((r) => rootTypes.includes(r.root_resource.type));
  const actions = q.getAll("actions[]").map((a) => oneOf("actions[]", a, ACTIONS));
  if (actions.length) filters.push((r) => actions.includes(r.action));
  const actorType = q.get("actor_type");
  const actorId = q.get("actor_id");
  if (actorId && !actorType) throw invalidInput("actor_id must be qualified by actor_type");
  if (actorType) {
    oneOf("actor_type", actorType, ACTOR_TYPES);
    filters.push((r) => r.actors.some((a) => a.type === actorType && (!actorId || a.id === actorId)));
  }
  const methodType = q.get("method_type");
  const token = q.get("method_truncated_token");
  if (token && !methodType) throw invalidInput("method_truncated_token must be qualified by method_type");
  if (methodType) {
    oneOf("method_type", methodType, METHOD_TYPES);
    filters.push((r) => r.method.type === methodType && (!token || r.method.truncated_token === token));
  }
  return filters;
}

/** Admins, the owner and account-level credentials only; plans without Audit Trail get 402. */
function listAccountRecords(req: SimRequest, ctx: SimContext) {
  requireAbility(ctx, "audit_trail");
  if (req.principal.kind === "user_key") {
    const role = ctx.state.data.users.get(req.principal.userId)?.role;
    if (role !== "admin" && role !== "owner") throw forbidden("Only admins and the account owner can read the account's audit records");
  }
  return page(req, ctx, accountFilters(req));
}

/**
 * Changes made to one resource: records rooted at it or whose details name it (a team membership record
 * names the user). Needs only read access to the resource, not the Audit Trail ability (NOTES §2.8).
 */
function resourceRecords(collection: "users" | "teams" | "schedules" | "escalation_policies"): RouteDef {
  const maps = { users: "users", teams: "teams", schedules: "schedules", escalation_policies: "escalationPolicies" } as const;
  return {
    method: "GET",
    path: `/${collection}/{id}/audit/records`,
    scope: "audit_records.read",
    handler: (req, ctx) => {
      const id = req.params.id ?? "";
      if (!ctx.state.data[maps[collection]].has(id)) throw notFound();
      return page(req, ctx, [(r) => r.root_resource.id === id || r.details?.resource?.id === id]);
    },
  };
}

export const routes = defineRoutes([
  { method: "GET", path: "/audit/records", scope: "audit_records.read", handler: listAccountRecords },
  resourceRecords("users"),
  resourceRecords("teams"),
  resourceRecords("schedules"),
  resourceRecords("escalation_policies"),
]);
