/**
 * Time-zone arithmetic for schedule rendering, on top of Node's Intl (full ICU, IANA tzdb): no dependency.
 *
 * Vocabulary used here and in render.ts:
 * - an *instant* is epoch milliseconds (what a Date holds);
 * - a *wall time* is the local clock reading in a zone, encoded as the epoch milliseconds that clock reading
 *   would have in UTC. Wall times make "same clock time tomorrow" plain addition (wall + DAY_MS); converting
 *   back to an instant is where daylight saving is resolved.
 */

export const SECOND_MS = 1_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Zones whose offset is always zero and which Rails/ActiveSupport serialises with a "Z" suffix. */
const UTC_ZONES = new Set(["UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"]);

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what callers should surface as a 400.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (an IANA name such as "America/New_York"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset (wall − instant) in ms at an instant, straight from ICU. Whole seconds; slow (~µs), so cached below. */
function rawOffset(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / SECOND_MS) * SECOND_MS;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(whole))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  return wall - whole;
}

/** Offset for one UTC hour: `before` applies until `changeAt` (if the zone's offset changes inside the hour). */
interface HourOffsets {
  before: number;
  changeAt: number | null;
  after: number;
}

/** Bounded so a long-running simulator queried over ever-new windows cannot grow without limit. */
const MAX_CACHED_HOURS_PER_ZONE = 200_000;
const offsetCache = new Map<string, Map<number, HourOffsets>>();

function hourOffsets(timeZone: string, hour: number): HourOffsets {
  let zone = offsetCache.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  const cached = zone.get(hour);
  if (cached) return cached;

  const start = hour * HOUR_MS;
  const end = start + HOUR_MS;
  const before = rawOffset(timeZone, start);
  const atEnd = rawOffset(timeZone, end);
  let info: HourOffsets = { before, changeAt: null, after: before };
  if (atEnd !== before) {
    // tzdb never changes a zone's offset twice within an hour, so binary-search the single change to the second.
    let lo = start; // offset here is `before`
    let hi = end; // offset here differs
    while (hi - lo > SECOND_MS) {
      const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
      if (rawOffset(timeZone, mid) === before) lo = mid;
      else hi = mid;
    }
    // A change landing exactly on the next hour belongs to that hour; this hour is then constant.
    if (hi < end) info = { before, changeAt: hi, after: atEnd };
  }
  if (zone.size >= MAX_CACHED_HOURS_PER_ZONE) zone.clear();
  zone.set(hour, info);
  return info;
}

/** UTC offset of `timeZone` at `instant`, in ms (e.g. −18 000 000 for EST). */
export function offsetAt(timeZone: string, instant: number): number {
  const info = hourOffsets(timeZone, Math.floor(instant / HOUR_MS));
  return info.changeAt !== null && instant >= info.changeAt ? info.after : info.before;
}

/** The wall time (see header) shown by clocks in `timeZone` at `instant`. */
export function toWall(timeZone: string, instant: number): number {
  return instant + offsetAt(timeZone, instant);
}

/**
 * The instant at which clocks in `timeZone` read `wall`. Daylight-saving edge cases follow the
 * "compatible" policy of RFC 5545 and TC39 Temporal (also what ActiveSupport does):
 * - a repeated clock reading (autumn fall-back) resolves to the earlier instant;
 * - a skipped clock reading (spring-forward gap) is pushed later by the gap, so 02:30 on the New York
 *   spring-forward day becomes 03:30 EDT.
 */
export function wallToInstant(timeZone: string, wall: number): number {
  // Offsets a day either side bracket any transition near `wall` (tzdb has no two transitions within a day).
  const earlier = offsetAt(timeZone, wall - DAY_MS);
  const later = offsetAt(timeZone, wall + DAY_MS);
  let best: number | null = null;
  for (const offset of earlier === later ? [earlier] : [earlier, later]) {
    const candidate = wall - offset;
    if (offsetAt(timeZone, candidate) === offset && (best === null || candidate < best)) best = candidate;
  }
  // No candidate: the reading falls in a gap; keep the pre-transition offset, which lands after the gap.
  return best ?? wall - earlier;
}

/** ISO weekday of a wall time: 1 = Monday … 7 = Sunday (1970-01-01, wall day 0, was a Thursday). */
export function isoWeekdayOfWallDay(wallDay: number): number {
  return (((wallDay + 3) % 7) + 7) % 7 + 1;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Formats an instant as PagerDuty does in API responses: local time in the requested zone with its offset and
 * no fractional seconds, e.g. "2026-03-08T09:00:00-07:00". UTC zones get a "Z" suffix, as ActiveSupport's
 * TimeWithZone#xmlschema (PagerDuty is a Rails application) prints for them.
 */
export function formatInZone(date: Date, timeZone: string): string {
  const instant = Math.floor(date.getTime() / SECOND_MS) * SECOND_MS;
  if (!Number.isFinite(instant)) throw new RangeError("formatInZone: invalid date");
  const offset = offsetAt(timeZone, instant);
  const w = new Date(instant + offset);
  const local =
    `${pad(w.getUTCFullYear(), 4)}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}` +
    `T${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}`;
  if (offset === 0 && UTC_ZONES.has(timeZone)) return `${local}Z`;
  const sign = offset < 0 ? "-" : "+";
  // ISO 8601 offsets are ±HH:MM; modern zones all have whole-minute offsets.
  const minutes = Math.floor(Math.abs(offset) / 60_000);
  return `${local}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
