/**
 * /schedules: list, get (rendered layers, overrides and final schedule), on-call users, and overrides
 * (list, batch create with a status per item, delete or truncate) — NOTES §2.4.
 */
import { createOverride, deleteOverride, mustSchedule } from "../core/overrides";
import { overlaps } from "../core/rendering";
import { renderSchedule } from "../schedule/render";
import type { SimOverride, SimSchedule } from "../schedule/types";
import { PdError, invalidInput } from "../http/errors";
import { classicBody } from "../http/pagination";
import { defineRoutes, type SimContext, type SimRequest, type SimResponse } from "../http/route";
import { userReference } from "../http/serialize";
import { formatInZone } from "../schedule/render";
import { dateParam, includes, isObject, requireAbility, writeContext } from "./params";
import { boolParam, scheduleJson, scheduleRange, timeZoneParam, type ScheduleView } from "./schedule-json";
import { userJson } from "./users";

const PARTS = ["schedule_layers", "overrides_subschedule", "final_schedule"] as const;

function listSchedules(req: SimRequest, ctx: SimContext): SimResponse {
  let schedules = [...ctx.state.data.schedules.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const teamIds = req.query.getAll("team_ids[]");
  if (teamIds.length) {
    requireAbility(ctx, "teams");
    schedules = schedules.filter((s) => s.teamIds.some((t) => teamIds.includes(t)));
  }
  const q = req.query.get("query")?.trim().toLowerCase();
  if (q) schedules = schedules.filter((s) => s.name.toLowerCase().includes(q));
  const wanted = includes(req);
  const rendersRange = req.query.has("since") || req.query.has("until");
  const range = rendersRange ? scheduleRange(req, ctx.clock.now()) : null;
  const tz = req.query.get("time_zone") ? timeZoneParam(req, "Etc/UTC") : null;
  const parts = new Set(PARTS.filter((p) => wanted.has(p)));
  return {
    status: 200,
    body: classicBody("schedules", req.query, schedules, (s) =>
      // Without time_zone, each schedule renders in its own zone (the spec's "current user's zone" has no user here).
      scheduleJson(ctx, s, { timeZone: tz ?? s.time_zone, range, overflow: boolParam(req, "overflow"), parts }),
    ),
  };
}

function getSchedule(req: SimRequest, ctx: SimContext): SimResponse {
  const schedule = mustSchedule(ctx.state, req.params.id ?? "");
  const view: ScheduleView = {
    timeZone: timeZoneParam(req, schedule.time_zone),
    range: scheduleRange(req, ctx.clock.now()),
    overflow: boolParam(req, "overflow"),
    parts: new Set(PARTS),
  };
  return { status: 200, body: { schedule: scheduleJson(ctx, schedule, view) } };
}

/** Users on call (final schedule) at any time in the range, by name; not paginated. */
function scheduleUsers(req: SimRequest, ctx: SimContext): SimResponse {
  const schedule = mustSchedule(ctx.state, req.params.id ?? "");
  const { since, until } = scheduleRange(req, ctx.clock.now());
  const ids = new Set(renderSchedule(schedule, new Date(since), new Date(until)).final.map((e) => e.userId));
  const users = [...ids].flatMap((id) => ctx.state.data.users.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { status: 200, body: { users: users.map((u) => userJson(ctx, u)) } };
}

function overrideJson(ctx: SimContext, o: SimOverride, tz: string) {
  return { id: o.id, start: formatInZone(new Date(o.start), tz), end: formatInZone(new Date(o.end), tz), user: userReference(ctx, o.userId) };
}

/**
 * Overrides meeting [since, until) (both required). The spec documents the success status as 201, a quirk
 * (NOTES §2.4): PagerDuty answers a read with 200, and so does the simulator. `editable` keeps the overrides
 * that can still be changed (not yet ended); `overflow=false` truncates them at the bounds like other entries.
 */
function listOverrides(req: SimRequest, ctx: SimContext): SimResponse {
  const schedule = mustSchedule(ctx.state, req.params.id ?? "");
  const since = dateParam(req, "since");
  const until = dateParam(req, "until");
  if (since === undefined || until === undefined) throw invalidInput("since and until are required");
  if (until < since) throw invalidInput("until must be after since");
  const tz = timeZoneParam(req, schedule.time_zone);
  const overflow = boolParam(req, "overflow");
  const now = ctx.clock.now();
  const overrides = schedule.overrides
    .filter((o) => overlaps(Date.parse(o.start), Date.parse(o.end), since, until))
    .filter((o) => !boolParam(req, "editable") || Date.parse(o.end) > now)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id))
    .map((o) => (overflow ? o : { ...o, start: new Date(Math.max(Date.parse(o.start), since)).toISOString(), end: new Date(Math.min(Date.parse(o.end), until)).toISOString() }));
  return { status: 200, body: { overrides: overrides.map((o) => overrideJson(ctx, o, tz)) } };
}

/** One requested override → its `{status, errors?, override}` item. Bad items are refused one by one. */
function createOne(req: SimRequest, ctx: SimContext, schedule: SimSchedule, item: unknown) {
  const raw = isObject(item) ? item : {};
  const user = isObject(raw.user) ? raw.user : {};
  const echo = {
    start: typeof raw.start === "string" ? raw.start : "",
    end: typeof raw.end === "string" ? raw.end : "",
    user: { id: typeof user.id === "string" ? user.id : "", type: "user_reference" },
  };
  try {
    if (!isObject(item)) throw invalidInput("Each override must be an object");
    if (typeof raw.start !== "string" || typeof raw.end !== "string") throw invalidInput("Override start and end are required date-times");
    if (typeof user.id !== "string") throw invalidInput("Override user is required: {\"id\": ..., \"type\": \"user_reference\"}");
    if (raw.time_zone !== undefined && (typeof raw.time_zone !== "string" || !timeZoneOk(raw.time_zone))) throw invalidInput("time_zone is not a valid time zone");
    const created = createOverride(ctx.state, writeContext(req), schedule.id, { start: raw.start, end: raw.end, userId: user.id });
    const tz = typeof raw.time_zone === "string" ? raw.time_zone : schedule.time_zone;
    return { status: 201, override: overrideJson(ctx, created, tz) };
  } catch (error) {
    if (!(error instanceof PdError) || error.status !== 400) throw error;
    return { status: 400, errors: error.errors.length ? error.errors : [error.message], override: echo };
  }
}

function timeZoneOk(tz: string): boolean {
  try {
    formatInZone(new Date(0), tz);
    return true;
  } catch {
    return false;
  }
}

/** POST: `{overrides: [...]}` answers 201 with one status per item; the deprecated `{override: {...}}` form too. */
function createOverrides(req: SimRequest, ctx: SimContext): SimResponse {
  const schedule = mustSchedule(ctx.state, req.params.id ?? "");
  const body = isObject(req.body) ? req.body : {};
  if (isObject(body.override) && body.overrides === undefined) {
    const result = createOne(req, ctx, schedule, body.override);
    if (result.status !== 201) throw invalidInput(...(result.errors ?? []));
    return { status: 201, body: { override: result.override } };
  }
  if (!Array.isArray(body.overrides) || body.overrides.length === 0) throw invalidInput('overrides is required: send {"overrides": [{"start", "end", "user"}]}');
  return { status: 201, body: body.overrides.map((item) => createOne(req, ctx, schedule, item)) };
}

function removeOverride(req: SimRequest, ctx: SimContext): SimResponse {
  const outcome = deleteOverride(ctx.state, writeContext(req), req.params.id ?? "", req.params.override_id ?? "");
  return { status: outcome === "truncated" ? 200 : 204 };
}

export const routes = defineRoutes([
  { method: "GET", path: "/schedules", scope: "schedules.read", handler: listSchedules },
  { method: "GET", path: "/schedules/{id}", scope: "schedules.read", handler: getSchedule },
  // NOTES §2.4: PagerDuty requires users.read here, not schedules.read.
  { method: "GET", path: "/schedules/{id}/users", scope: "users.read", handler: scheduleUsers },
  { method: "GET", path: "/schedules/{id}/overrides", scope: "schedules.read", handler: listOverrides },
  { method: "POST", path: "/schedules/{id}/overrides", scope: "schedules.write", handler: createOverrides },
  { method: "DELETE", path: "/schedules/{id}/overrides/{override_id}", scope: "schedules.write", handler: removeOverride },
]);
