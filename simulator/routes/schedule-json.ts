/**
 * Schedule objects as PagerDuty serialises them (spec schemas Schedule, ScheduleLayer, SubSchedule), and the
 * query parameters the schedule and on-call endpoints share: the rendering range and the time zone.
 */
import { coveragePercentage, renderRange } from "../core/rendering";
import type { SimState } from "../core/state";
import { invalidInput } from "../http/errors";
import type { SimContext, SimRequest } from "../http/route";
import { htmlUrl, policyReference, selfUrl, teamReference, userReference } from "../http/serialize";
import { formatInZone } from "../schedule/render";
import { isValidTimeZone } from "../schedule/tz";
import type { ScheduleEntry, SimLayer, SimSchedule } from "../schedule/types";
import { dateParam } from "./params";

const TWO_WEEKS_MS = 14 * 86_400_000;

/** `time_zone`, validated (400 for a zone PagerDuty would not know), else the fallback. */
export function timeZoneParam(req: SimRequest, fallback: string): string {
  const tz = req.query.get("time_zone");
  if (tz === null || tz === "") return fallback;
  if (!isValidTimeZone(tz)) throw invalidInput(`time_zone ${tz} is not a valid time zone`);
  return tz;
}

export function boolParam(req: SimRequest, name: string): boolean {
  return req.query.get(name) === "true";
}

/**
 * `since`/`until` as getSchedule documents them: each defaults to two weeks from the other, and both to
 * now … now + 2 weeks.
 */
export function scheduleRange(req: SimRequest, now: number): { since: number; until: number } {
  const since = dateParam(req, "since");
  const until = dateParam(req, "until");
  const range =
    since !== undefined && until !== undefined
      ? { since, until }
      : since !== undefined
        ? { since, until: since + TWO_WEEKS_MS }
        : until !== undefined
          ? { since: until - TWO_WEEKS_MS, until }
          : { since: now, until: now + TWO_WEEKS_MS };
  if (range.until < range.since) throw invalidInput("until must be after since");
  return range;
}

/** Policy ids per targeted schedule, rebuilt when the state changes (the list serialises it for every schedule). */
const policyIndex = new WeakMap<SimState, { version: number; bySchedule: Map<string, string[]> }>();

export function policiesTargetingSchedule(state: SimState, scheduleId: string): string[] {
  let index = policyIndex.get(state);
  if (!index || index.version !== state.version) {
    const bySchedule = new Map<string, string[]>();
    for (const policy of state.data.escalationPolicies.values()) {
      const targeted = new Set(policy.rules.flatMap((r) => r.targets.filter((t) => t.type === "schedule_reference").map((t) => t.id)));
      for (const id of targeted) bySchedule.set(id, [...(bySchedule.get(id) ?? []), policy.id]);
    }
    index = { version: state.version, bySchedule };
    policyIndex.set(state, index);
  }
  return index.bySchedule.get(scheduleId) ?? [];
}

/** Everyone in any layer, in order of first appearance. */
export function scheduleUserIds(schedule: SimSchedule): string[] {
  return [...new Set(schedule.layers.flatMap((l) => l.users))];
}

const at = (iso: string, tz: string) => formatInZone(new Date(Date.parse(iso)), tz);

export function entryJson(ctx: SimContext, e: ScheduleEntry, tz: string) {
  return { start: formatInZone(e.start, tz), end: formatInZone(e.end, tz), user: userReference(ctx, e.userId) };
}

function layerJson(ctx: SimContext, layer: SimLayer, tz: string, rendered: ScheduleEntry[] | null, range: { since: number; until: number }) {
  return {
    id: layer.id,
    name: layer.name,
    start: at(layer.start, tz),
    // The schema's `end` is a non-nullable date-time ("If null, the layer does not end"): left out when open.
    ...(layer.end !== null ? { end: at(layer.end, tz) } : {}),
    rotation_virtual_start: at(layer.rotation_virtual_start, tz),
    rotation_turn_length_seconds: layer.rotation_turn_length_seconds,
    users: layer.users.map((id) => ({ user: userReference(ctx, id) })),
    restrictions: layer.restrictions.map((r) => ({ ...r })),
    ...(rendered
      ? {
          rendered_schedule_entries: rendered.map((e) => entryJson(ctx, e, tz)),
          rendered_coverage_percentage: coveragePercentage(rendered, range.since, range.until),
        }
      : {}),
  };
}

function subSchedule(ctx: SimContext, name: "Final Schedule" | "Overrides", tz: string, rendered: ScheduleEntry[] | null, range: { since: number; until: number }) {
  if (!rendered) return { name };
  return { name, rendered_schedule_entries: rendered.map((e) => entryJson(ctx, e, tz)), rendered_coverage_percentage: coveragePercentage(rendered, range.since, range.until) };
}

export interface ScheduleView {
  timeZone: string;
  /** Rendered entries are filled only with a range (the list renders only when since or until is sent). */
  range: { since: number; until: number } | null;
  overflow: boolean;
  /** Which optional parts to send: the list sends them per include[], the single GET always. */
  parts: ReadonlySet<"schedule_layers" | "overrides_subschedule" | "final_schedule">;
}

export function scheduleJson(ctx: SimContext, schedule: SimSchedule, view: ScheduleView) {
  const { timeZone: tz, range, parts } = view;
  const rendered = range && parts.size ? renderRange(schedule, range.since, range.until, view.overflow) : null;
  const r = range ?? { since: 0, until: 0 };
  return {
    id: schedule.id,
    type: "schedule",
    summary: schedule.name,
    self: selfUrl(ctx, "schedules", schedule.id),
    html_url: htmlUrl(ctx, "schedules", schedule.id),
    name: schedule.name,
    time_zone: schedule.time_zone,
    // The schema's description is a non-nullable string: left out when unset.
    ...(schedule.description !== null ? { description: schedule.description } : {}),
    escalation_policies: policiesTargetingSchedule(ctx.state, schedule.id).map((id) => policyReference(ctx, id)),
    users: scheduleUserIds(schedule).map((id) => userReference(ctx, id)),
    teams: schedule.teamIds.map((id) => teamReference(ctx, id)),
    ...(parts.has("schedule_layers")
      ? { schedule_layers: schedule.layers.map((layer, i) => layerJson(ctx, layer, tz, rendered ? (rendered.layers[i] ?? []) : null, r)) }
      : {}),
    ...(parts.has("overrides_subschedule") ? { overrides_subschedule: subSchedule(ctx, "Overrides", tz, rendered?.overrides ?? null, r) } : {}),
    ...(parts.has("final_schedule") ? { final_schedule: subSchedule(ctx, "Final Schedule", tz, rendered?.final ?? null, r) } : {}),
  };
}
