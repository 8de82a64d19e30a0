/**
 * Schedule rendering as the API exposes it: a range with PagerDuty's `overflow` switch, on top of the renderer
 * (simulator/schedule/render.ts), which always clips at the range bounds.
 *
 * With overflow, an entry that crosses a bound is reported whole. The renderer is run over the range widened by
 * the longest turn of any layer (at least a week, so weekly restriction windows and overrides are whole too),
 * which recovers every layer turn exactly; a final-schedule span that joins several turns of one person may
 * still be cut at the widened bound, a documented approximation.
 */
import { renderSchedule, type RenderedSchedule } from "../schedule/render";
import type { ScheduleEntry, SimSchedule } from "../schedule/types";

const WEEK_MS = 7 * 86_400_000;

function padFor(schedule: SimSchedule): number {
  let pad = WEEK_MS;
  for (const layer of schedule.layers) pad = Math.max(pad, layer.rotation_turn_length_seconds * 1000);
  for (const o of schedule.overrides) pad = Math.max(pad, Date.parse(o.end) - Date.parse(o.start));
  return pad;
}

/** Does [start, end) meet the range? A zero-length range is a point: whoever is on call at that instant. */
export function overlaps(start: number, end: number, since: number, until: number): boolean {
  return since === until ? start <= since && since < end : start < until && end > since;
}

function pick(entries: ScheduleEntry[], since: number, until: number, overflow: boolean): ScheduleEntry[] {
  const out: ScheduleEntry[] = [];
  for (const e of entries) {
    const s = e.start.getTime();
    const t = e.end.getTime();
    if (!overlaps(s, t, since, until)) continue;
    out.push(overflow ? e : { start: new Date(Math.max(s, since)), end: new Date(Math.min(t, until)), userId: e.userId });
  }
  return out;
}

/** Layers, overrides and final schedule for [since, until); entries crossing a bound are clipped unless `overflow`. */
export function renderRange(schedule: SimSchedule, since: number, until: number, overflow: boolean): RenderedSchedule {
  const pad = padFor(schedule);
  const wide = renderSchedule(schedule, new Date(since - pad), new Date(until + pad));
  return {
    layers: wide.layers.map((entries) => pick(entries, since, until, overflow)),
    overrides: pick(wide.overrides, since, until, overflow),
    final: pick(wide.final, since, until, overflow),
  };
}

/** Share of [since, until) covered by entries, as PagerDuty's rendered_coverage_percentage (0–100, 2 decimals). */
export function coveragePercentage(entries: ScheduleEntry[], since: number, until: number): number {
  if (!(until > since)) return 0;
  let covered = 0;
  for (const e of entries) covered += Math.max(0, Math.min(e.end.getTime(), until) - Math.max(e.start.getTime(), since));
  return Math.round((covered / (until - since)) * 10_000) / 100;
}
