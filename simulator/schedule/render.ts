/**
 * PagerDuty v2 schedule rendering, as `GET /schedules/{id}?since&until` returns it in
 * `schedule_layers[].rendered_schedule_entries`, `overrides_subschedule` and `final_schedule`, and as
 * `GET /oncalls` derives on-call spans from it.
 *
 * Semantics (sources in brackets; "KB" = PagerDuty knowledge base, "spec" = PagerDuty/api-schema openapiv3.json):
 * - Rotation: users take turns of `rotation_turn_length_seconds`, counted from `rotation_virtual_start`, which
 *   "can be before the start time of the schedule" [spec ScheduleLayer]; turn k belongs to users[k mod n], also
 *   for negative k (instants before the virtual start). A layer renders only inside [start, end) [spec].
 * - Daylight saving: turn lengths that are whole days are counted in the schedule's wall clock, so a daily or
 *   weekly handoff stays at the same local time and the turn spanning a DST change lasts 23 or 25 hours [KB
 *   "Schedule Basics": rotations are daily/weekly with a local "Handoff Time"]; other lengths (8 h, 12 h, custom)
 *   are counted in absolute seconds, since a clock-time anchor is meaningless for them.
 * - Restrictions: daily or weekly windows in the schedule's time zone (wall clock, DST-aware); a restricted layer
 *   is on call only inside the union of its windows, and inside a window the user on call is whoever's turn it
 *   is at that instant: restrictions cut the rotation, they do not shift it [KB "Setting up Restrictions for
 *   On-Call Shifts": restrictions "create gaps in schedule coverage" that "can be filled with other layers"].
 *   The spec's "Restrictions respect the `time_zone` parameter of the request" is read as being about how they
 *   are expressed on writes; rendering must not change who is on call with the zone the reader asks for.
 * - Layer precedence: the highest layer wins where it has someone on call, and its gaps fall through
 *   [KB "Schedule Basics": "If a user on Layer 1 and Layer 2 overlap, the user on Layer 2 will be the one
 *   on-call"]. The API's GET lists `schedule_layers` highest-first, the reverse of the order POST/PUT take
 *   [PagerDuty/public-support-scripts PR #60: "a GET request and a POST or PUT request for a schedule will have
 *   schedule layers in opposite order"; terraform-provider-pagerduty flattenScheduleLayers reverses the GET
 *   list to recover Layer 1 first]. `SimSchedule.layers` is stored in that GET order, so layers[0] wins.
 * - Overrides win over every layer during their span [KB "Schedule Basics"; NOTES §2.4].
 * - Final schedule: adjacent spans of the same user are joined, everything is clipped to [since, until) (the
 *   API's default `overflow=false` truncates entries at the range bounds [spec getSchedule]), and times with
 *   nobody on call produce no entry.
 *
 * Cost is linear in the number of turns and restriction windows that touch the range (never per minute), plus
 * cached Intl look-ups per UTC hour; a 90-day window over 500 three-layer schedules renders in well under a second.
 */
import type { ScheduleEntry, SimLayer, SimOverride, SimRestriction, SimSchedule } from "./types";
import { DAY_MS, SECOND_MS, isoWeekdayOfWallDay, toWall, wallToInstant } from "./tz";

export { formatInZone } from "./tz";

/** A half-open interval [start, end) of instants in epoch ms. */
interface Span {
  start: number;
  end: number;
}

function parseInstant(value: string, what: string): number {
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new RangeError(`schedule render: ${what} is not a valid date-time: ${value}`);
  return t;
}

function timeOf(date: Date, what: string): number {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`schedule render: ${what} is not a valid date`);
  return t;
}

/** "HH:MM:SS" (the spec's `partial-time`; "HH:MM" also accepted) → ms after local midnight. */
function parseTimeOfDay(value: string): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  const [h, min, s] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3] ?? "0")];
  if (!m || h > 23 || min > 59 || s > 59) throw new RangeError(`schedule render: bad start_time_of_day ${value}`);
  return ((h * 60 + min) * 60 + s) * SECOND_MS;
}

/** Non-negative remainder: turn −1 of a 3-user layer belongs to users[2]. */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Maps instants to turn indices and back for one layer. */
interface Rotation {
  /** Instant at which turn k begins. Strictly increasing in k. */
  turnStart(k: number): number;
  /** Index of the turn in progress at instant t: turnStart(k) <= t < turnStart(k + 1). */
  turnAt(t: number): number;
}

function makeRotation(layer: SimLayer, timeZone: string): Rotation {
  const virtualStart = parseInstant(layer.rotation_virtual_start, `layer ${layer.id} rotation_virtual_start`);
  const turnMs = layer.rotation_turn_length_seconds * SECOND_MS;

  if (layer.rotation_turn_length_seconds % 86_400 !== 0) {
    // Sub-day or odd lengths: plain elapsed time, so an 8-hour rotation stays 8 real hours across DST.
    return {
      turnStart: (k) => virtualStart + k * turnMs,
      turnAt: (t) => Math.floor((t - virtualStart) / turnMs),
    };
  }

  // Whole-day lengths: handoffs repeat at the virtual start's local clock time (DST moves the UTC instant).
  const virtualWall = toWall(timeZone, virtualStart);
  const turnStart = (k: number): number => wallToInstant(timeZone, virtualWall + k * turnMs);
  return {
    turnStart,
    turnAt: (t) => {
      // The wall-clock estimate can be off by one near a fall-back hour, where clock readings repeat; correct it
      // against the exact boundaries.
      let k = Math.floor((toWall(timeZone, t) - virtualWall) / turnMs);
      while (turnStart(k + 1) <= t) k++;
      while (turnStart(k) > t) k--;
      return k;
    },
  };
}

/**
 * The union of a layer's restriction windows that meet [from, to), as sorted, disjoint, clipped spans.
 * A window's end is a wall-clock time too (start clock time + duration): PagerDuty's UI states restrictions as
 * from/to clock times ("19:00-07:00 every weekday"), so a window crossing a DST change keeps its local end time.
 */
function restrictionWindows(restrictions: SimRestriction[], timeZone: string, from: number, to: number): Span[] {
  const windows: Span[] = [];
  const fromWallDay = Math.floor(toWall(timeZone, from) / DAY_MS);
  const toWallDay = Math.floor(toWall(timeZone, to) / DAY_MS);

  for (const r of restrictions) {
    const startOfDay = parseTimeOfDay(r.start_time_of_day);
    const durationMs = r.duration_seconds * SECOND_MS;
    if (!(durationMs > 0)) continue;

    let step: number;
    // First candidate day: far enough back that a window started earlier but still running is included
    // (one extra day of slack covers the wall/instant offset).
    let day = fromWallDay - Math.ceil(durationMs / DAY_MS) - 1;
    if (r.type === "weekly_restriction") {
      const weekday = r.start_day_of_week;
      if (weekday === undefined || !Number.isInteger(weekday) || weekday < 1 || weekday > 7) {
        throw new RangeError(`schedule render: weekly restriction needs start_day_of_week 1-7, got ${weekday}`);
      }
      step = 7;
      day -= 7;
      day += mod(weekday - isoWeekdayOfWallDay(day), 7);
    } else {
      step = 1;
    }

    for (; day <= toWallDay + 1; day += step) {
      const startWall = day * DAY_MS + startOfDay;
      const start = Math.max(from, wallToInstant(timeZone, startWall));
      const end = Math.min(to, wallToInstant(timeZone, startWall + durationMs));
      if (start < end) windows.push({ start, end });
    }
  }

  windows.sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const w of windows) {
    const last = merged[merged.length - 1];
    // Touching windows merge too: Mon-Fri 09:00-17:00 restrictions plus an overnight one form continuous cover.
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else merged.push({ ...w });
  }
  return merged;
}

/**
 * One layer's `rendered_schedule_entries` for [since, until): one entry per turn (split at every handoff, even
 * when the next turn is the same user, so handoffs stay visible), cut to the layer's [start, end) and to its
 * restriction windows.
 */
export function renderLayer(schedule: SimSchedule, layer: SimLayer, since: Date, until: Date): ScheduleEntry[] {
  const n = layer.users.length;
  if (n === 0 || !(layer.rotation_turn_length_seconds > 0)) return [];

  const from = Math.max(timeOf(since, "since"), parseInstant(layer.start, `layer ${layer.id} start`));
  const to = Math.min(
    timeOf(until, "until"),
    layer.end === null ? Number.POSITIVE_INFINITY : parseInstant(layer.end, `layer ${layer.id} end`),
  );
  if (!(from < to)) return [];

  const rotation = makeRotation(layer, schedule.time_zone);
  const windows =
    layer.restrictions.length > 0
      ? restrictionWindows(layer.restrictions, schedule.time_zone, from, to)
      : [{ start: from, end: to }];

  const entries: ScheduleEntry[] = [];
  for (const w of windows) {
    let k = rotation.turnAt(w.start);
    let s = w.start;
    while (s < w.end) {
      const e = Math.min(rotation.turnStart(k + 1), w.end);
      const userId = layer.users[mod(k, n)];
      if (userId !== undefined) entries.push({ start: new Date(s), end: new Date(e), userId });
      s = e;
      k++;
    }
  }
  return entries;
}

/** An entry tagged with where it came from, so pieces of one source entry can be rejoined. */
interface Piece extends Span {
  userId: string;
  source: number;
  index: number;
}

/**
 * Flattens stacked sources into one timeline: at each instant the first source (lowest index) with an entry
 * there wins. Each source must be sorted and non-overlapping. Pieces of the same source entry stay joined.
 * A sweep over the sorted boundaries with one cursor per source: O(boundaries × sources).
 */
function flatten(sources: Span[][], users: string[][]): Piece[] {
  // A Float64Array sorts numerically without a comparator callback; this runs for every schedule on /oncalls.
  let count = 0;
  for (const list of sources) count += 2 * list.length;
  const boundaries = new Float64Array(count);
  let n = 0;
  for (const list of sources) {
    for (const e of list) {
      boundaries[n++] = e.start;
      boundaries[n++] = e.end;
    }
  }
  boundaries.sort();
  const cursors = sources.map(() => 0);
  const pieces: Piece[] = [];
  for (let b = 0; b + 1 < boundaries.length; b++) {
    const p = boundaries[b] as number;
    const q = boundaries[b + 1] as number;
    if (p === q) continue; // duplicate boundary
    for (let s = 0; s < sources.length; s++) {
      const list = sources[s] as Span[];
      let j = cursors[s] as number;
      while (j < list.length && (list[j] as Span).end <= p) j++;
      cursors[s] = j;
      const entry = list[j];
      if (!entry || entry.start > p) continue;
      const userId = users[s]?.[j];
      if (userId === undefined) break; // unreachable: users mirrors sources; satisfies noUncheckedIndexedAccess
      const last = pieces[pieces.length - 1];
      if (last && last.source === s && last.index === j && last.end === p) last.end = q;
      else pieces.push({ start: p, end: q, userId, source: s, index: j });
      break;
    }
  }
  return pieces;
}

function toSpans(entries: ScheduleEntry[]): Span[] {
  return entries.map((e) => ({ start: e.start.getTime(), end: e.end.getTime() }));
}

/**
 * The overrides sub-schedule for [since, until). Overlapping overrides are resolved so the later one in
 * `schedule.overrides` (the more recently created) wins, which keeps the sub-schedule a single timeline.
 */
function renderOverrides(overrides: SimOverride[], since: number, until: number): ScheduleEntry[] {
  const clipped: { span: Span; userId: string }[] = [];
  for (const o of overrides) {
    const start = Math.max(since, parseInstant(o.start, `override ${o.id} start`));
    const end = Math.min(until, parseInstant(o.end, `override ${o.id} end`));
    if (start < end) clipped.push({ span: { start, end }, userId: o.userId });
  }
  clipped.reverse(); // later overrides first = higher precedence in flatten()
  return flatten(
    clipped.map((c) => [c.span]),
    clipped.map((c) => [c.userId]),
  ).map((p) => ({ start: new Date(p.start), end: new Date(p.end), userId: p.userId }));
}

export interface RenderedSchedule {
  /** Per layer, same order as `schedule.layers`. */
  layers: ScheduleEntry[][];
  overrides: ScheduleEntry[];
  final: ScheduleEntry[];
}

/**
 * All three renderings for [since, until). An empty or inverted range renders nothing; PagerDuty answers
 * since == until as a point query (PagerDuty/api-schema#479), which callers wanting that should map to
 * whoIsOnCall().
 */
export function renderSchedule(schedule: SimSchedule, since: Date, until: Date): RenderedSchedule {
  const from = timeOf(since, "since");
  const to = timeOf(until, "until");
  const layers = schedule.layers.map((layer) => renderLayer(schedule, layer, since, until));
  const overrides = from < to ? renderOverrides(schedule.overrides, from, to) : [];

  // Precedence: overrides, then layers in stored (GET) order, highest layer first.
  const stack = [overrides, ...layers];
  const pieces = flatten(
    stack.map(toSpans),
    stack.map((list) => list.map((e) => e.userId)),
  );

  const final: ScheduleEntry[] = [];
  for (const p of pieces) {
    const last = final[final.length - 1];
    // The same person continuing (across a handoff to themselves, a layer change or an override) is one span.
    if (last && last.userId === p.userId && last.end.getTime() === p.start) last.end = new Date(p.end);
    else final.push({ start: new Date(p.start), end: new Date(p.end), userId: p.userId });
  }
  return { layers, overrides, final };
}

/** The user on call at `at` per the final schedule, or null when the schedule has a gap there. */
export function whoIsOnCall(schedule: SimSchedule, at: Date): string | null {
  const t = timeOf(at, "at");
  // A one-millisecond window renders at most one turn per layer, so this stays cheap.
  return renderSchedule(schedule, at, new Date(t + 1)).final[0]?.userId ?? null;
}
