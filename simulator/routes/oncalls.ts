/**
 * GET /oncalls (NOTES §2.5): who is on call for which escalation policy and level, over `since`/`until` (both
 * default to now; an on-call is listed when it overlaps the range, whole). Filters `schedule_ids[]` (`null` in
 * it adds the permanent on-calls of direct user targets), `user_ids[]`, `escalation_policy_ids[]`; `earliest`;
 * `include[]` of users, schedules and escalation policies; `time_zone`; classic pagination.
 */
import { listOncalls, type OncallEntry } from "../core/oncalls";
import { invalidInput } from "../http/errors";
import { classicJson } from "../http/pagination";
import { defineRoutes, type SimContext, type SimRequest, type SimResponse } from "../http/route";
import { policyReference, scheduleReference, userReference } from "../http/serialize";
import { formatInZone } from "../schedule/render";
import { escalationPolicyJson } from "./escalation-policies";
import { dateParam, includes } from "./params";
import { boolParam, scheduleJson, timeZoneParam } from "./schedule-json";
import { userJson } from "./users";

const DAY_MS = 86_400_000;
/** "On-call shifts are limited to 90 days in the future" (and the range itself to 90 days). */
export const ONCALL_HORIZON_MS = 90 * DAY_MS;

function listOncallsRoute(req: SimRequest, ctx: SimContext): SimResponse {
  const now = ctx.clock.now();
  const since = dateParam(req, "since") ?? now;
  const until = dateParam(req, "until") ?? Math.max(now, since);
  if (until < since) throw invalidInput("until cannot be before since");
  if (until - since > ONCALL_HORIZON_MS) throw invalidInput("The time range (since to until) cannot be longer than 90 days");
  if (until > now + ONCALL_HORIZON_MS) throw invalidInput("until cannot be more than 90 days in the future");
  const scheduleParam = req.query.getAll("schedule_ids[]");
  const scheduleIds = scheduleParam.filter((id) => id !== "null");
  const userIds = req.query.getAll("user_ids[]");
  const policyIds = req.query.getAll("escalation_policy_ids[]");
  const entries = listOncalls(ctx.state, {
    since,
    until,
    scheduleIds: scheduleParam.length ? scheduleIds : null,
    // Permanent on-calls are listed unless schedule_ids[] narrows the list without naming `null`.
    includePermanent: scheduleParam.length === 0 || scheduleParam.includes("null"),
    userIds: userIds.length ? userIds : null,
    policyIds: policyIds.length ? policyIds : null,
    earliest: boolParam(req, "earliest"),
  });
  const tz = timeZoneParam(req, "Etc/UTC");
  const include = includes(req);
  const key = `${ctx.baseUrl}|${tz}|${[...include].sort().join(",")}`;
  return { status: 200, json: classicJson("oncalls", req.query, entries, (e) => oncallBytes(ctx, e, tz, include, key)) };
}

/**
 * Serialised on-calls, per entry and view (zone, include[]). listOncalls hands out the same entry objects for as
 * long as the state's version holds (its lists are cached per version), so an entry's bytes never go stale; the
 * sync pages through the same list hundreds of times a second.
 */
const entryBytes = new WeakMap<OncallEntry, { key: string; bytes: Buffer }>();

function oncallBytes(ctx: SimContext, e: OncallEntry, tz: string, include: ReadonlySet<string>, key: string): Buffer {
  const hit = entryBytes.get(e);
  if (hit?.key === key) return hit.bytes;
  const bytes = Buffer.from(JSON.stringify(oncallJson(ctx, e, tz, include)));
  entryBytes.set(e, { key, bytes });
  return bytes;
}

function oncallJson(ctx: SimContext, e: OncallEntry, tz: string, include: ReadonlySet<string>) {
  const user = ctx.state.data.users.get(e.userId);
  const policy = ctx.state.data.escalationPolicies.get(e.policyId);
  const schedule = e.scheduleId ? ctx.state.data.schedules.get(e.scheduleId) : undefined;
  return {
    escalation_policy: include.has("escalation_policies") && policy ? escalationPolicyJson(ctx, policy) : policyReference(ctx, e.policyId),
    user: include.has("users") && user ? userJson(ctx, user) : userReference(ctx, e.userId),
    // PagerDuty sends null for a permanent on-call (a direct user target); the spec's schema has no null (NOTES §2.5).
    schedule: !e.scheduleId
      ? null
      : include.has("schedules") && schedule
        ? scheduleJson(ctx, schedule, { timeZone: tz, range: null, overflow: false, parts: new Set() })
        : scheduleReference(ctx, e.scheduleId),
    escalation_level: e.level,
    start: e.start === null ? null : formatInZone(new Date(e.start), tz),
    end: e.end === null ? null : formatInZone(new Date(e.end), tz),
  };
}

export const routes = defineRoutes([{ method: "GET", path: "/oncalls", scope: "oncalls.read", handler: listOncallsRoute }]);
