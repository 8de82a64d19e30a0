import { describe, expect, it } from "vitest";
import { formatInZone, renderLayer, renderSchedule, whoIsOnCall } from "./render";
import type { ScheduleEntry, SimLayer, SimOverride, SimRestriction, SimSchedule } from "./types";

// Calendar facts the expectations rely on: 2026-01-01 is a Thursday, so 2026-01-05 is a Monday.
// DST in 2026: America/New_York springs forward Sun 2026-03-08 02:00 EST (07:00Z) and falls back
// Sun 2026-11-01 02:00 EDT (06:00Z); Europe/Berlin springs forward Sun 2026-03-29 02:00 CET (01:00Z).

const DAY = 86_400;
const WEEK = 7 * DAY;

let layerSeq = 0;
function layer(p: Partial<SimLayer> & Pick<SimLayer, "users" | "rotation_virtual_start" | "rotation_turn_length_seconds">): SimLayer {
  layerSeq++;
  return { id: `L${layerSeq}`, name: `Layer ${layerSeq}`, start: "2025-01-01T00:00:00Z", end: null, restrictions: [], ...p };
}

function schedule(time_zone: string, layers: SimLayer[], overrides: SimOverride[] = []): SimSchedule {
  return { id: "PSCHED1", name: "Test", description: null, time_zone, layers, overrides, teamIds: [] };
}

function override(id: string, start: string, end: string, userId: string): SimOverride {
  return { id, start, end, userId };
}

const daily = (start_time_of_day: string, duration_seconds: number): SimRestriction => ({
  type: "daily_restriction",
  start_time_of_day,
  duration_seconds,
});
const weekly = (start_day_of_week: number, start_time_of_day: string, duration_seconds: number): SimRestriction => ({
  type: "weekly_restriction",
  start_day_of_week,
  start_time_of_day,
  duration_seconds,
});

/** Entries as "start → end user" in UTC ISO form: the unambiguous instants. */
function utc(entries: ScheduleEntry[]): string[] {
  return entries.map((e) => `${e.start.toISOString()} → ${e.end.toISOString()} ${e.userId}`);
}

/** Entries as PagerDuty would print them in `tz`. */
function local(entries: ScheduleEntry[], tz: string): string[] {
  return entries.map((e) => `${formatInZone(e.start, tz)} → ${formatInZone(e.end, tz)} ${e.userId}`);
}

function hours(e: ScheduleEntry | undefined): number {
  if (!e) throw new Error("missing entry");
  return (e.end.getTime() - e.start.getTime()) / 3_600_000;
}

const d = (iso: string) => new Date(iso);

describe("rotation", () => {
  it("rotates a daily layer of three users, including the turn in progress before the virtual start", () => {
    const l = layer({ users: ["A", "B", "C"], rotation_virtual_start: "2026-01-05T09:00:00Z", rotation_turn_length_seconds: DAY });
    const s = schedule("UTC", [l]);
    // At Jan 5 00:00 the offset from the virtual start is −9 h → turn floor(−9/24) = −1 → users[−1 mod 3 = 2] = C.
    // Then turn 0 = A at Jan 5 09:00, 1 = B, 2 = C, 3 → 3 mod 3 = 0 = A, clipped at until.
    expect(utc(renderLayer(s, l, d("2026-01-05T00:00:00Z"), d("2026-01-09T00:00:00Z")))).toEqual([
      "2026-01-05T00:00:00.000Z → 2026-01-05T09:00:00.000Z C",
      "2026-01-05T09:00:00.000Z → 2026-01-06T09:00:00.000Z A",
      "2026-01-06T09:00:00.000Z → 2026-01-07T09:00:00.000Z B",
      "2026-01-07T09:00:00.000Z → 2026-01-08T09:00:00.000Z C",
      "2026-01-08T09:00:00.000Z → 2026-01-09T00:00:00.000Z A",
    ]);
  });

  it("counts turns backwards for a window entirely before rotation_virtual_start", () => {
    const l = layer({ users: ["A", "B", "C"], rotation_virtual_start: "2026-01-10T09:00:00Z", rotation_turn_length_seconds: DAY });
    const s = schedule("UTC", [l]);
    // Jan 6 12:00 is 3 d 21 h before the virtual start → turn floor(−3.875) = −4 → −4 mod 3 = 2 → C, ending at
    // vs − 3 d = Jan 7 09:00; turn −3 → 0 → A until Jan 8 09:00; turn −2 → 1 → B, clipped at Jan 8 12:00.
    expect(utc(renderLayer(s, l, d("2026-01-06T12:00:00Z"), d("2026-01-08T12:00:00Z")))).toEqual([
      "2026-01-06T12:00:00.000Z → 2026-01-07T09:00:00.000Z C",
      "2026-01-07T09:00:00.000Z → 2026-01-08T09:00:00.000Z A",
      "2026-01-08T09:00:00.000Z → 2026-01-08T12:00:00.000Z B",
    ]);
  });

  it("rotates weekly", () => {
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-01-05T09:00:00Z", rotation_turn_length_seconds: WEEK });
    const s = schedule("UTC", [l]);
    // Jan 1 00:00 is 4 d 9 h before vs → turn −1 → B until Mon Jan 5 09:00; then A, B, A a week each.
    expect(utc(renderLayer(s, l, d("2026-01-01T00:00:00Z"), d("2026-01-22T00:00:00Z")))).toEqual([
      "2026-01-01T00:00:00.000Z → 2026-01-05T09:00:00.000Z B",
      "2026-01-05T09:00:00.000Z → 2026-01-12T09:00:00.000Z A",
      "2026-01-12T09:00:00.000Z → 2026-01-19T09:00:00.000Z B",
      "2026-01-19T09:00:00.000Z → 2026-01-22T00:00:00.000Z A",
    ]);
  });

  it("rotates in 12-hour turns", () => {
    const l = layer({ users: ["A", "B", "C"], rotation_virtual_start: "2026-01-05T08:00:00Z", rotation_turn_length_seconds: 43_200 });
    const s = schedule("UTC", [l]);
    // 08:00 + k·12 h: turns 0..3 → A, B, C, A.
    expect(utc(renderLayer(s, l, d("2026-01-05T08:00:00Z"), d("2026-01-07T08:00:00Z")))).toEqual([
      "2026-01-05T08:00:00.000Z → 2026-01-05T20:00:00.000Z A",
      "2026-01-05T20:00:00.000Z → 2026-01-06T08:00:00.000Z B",
      "2026-01-06T08:00:00.000Z → 2026-01-06T20:00:00.000Z C",
      "2026-01-06T20:00:00.000Z → 2026-01-07T08:00:00.000Z A",
    ]);
  });

  it("renders only inside the layer's [start, end) and nothing for an empty layer", () => {
    const l = layer({
      users: ["A", "B"],
      rotation_virtual_start: "2026-01-05T00:00:00Z",
      rotation_turn_length_seconds: DAY,
      start: "2026-01-05T12:00:00Z",
      end: "2026-01-06T06:00:00Z",
    });
    const s = schedule("UTC", [l]);
    // Turn 0 (A) is cut to start at the layer start, turn 1 (B) to stop at the layer end.
    expect(utc(renderLayer(s, l, d("2026-01-04T00:00:00Z"), d("2026-01-08T00:00:00Z")))).toEqual([
      "2026-01-05T12:00:00.000Z → 2026-01-06T00:00:00.000Z A",
      "2026-01-06T00:00:00.000Z → 2026-01-06T06:00:00.000Z B",
    ]);
    expect(renderLayer(s, l, d("2026-01-07T00:00:00Z"), d("2026-01-08T00:00:00Z"))).toEqual([]);
    const empty = layer({ users: [], rotation_virtual_start: "2026-01-05T00:00:00Z", rotation_turn_length_seconds: DAY });
    expect(renderLayer(schedule("UTC", [empty]), empty, d("2026-01-05T00:00:00Z"), d("2026-01-06T00:00:00Z"))).toEqual([]);
  });
});

describe("restrictions", () => {
  it("cuts a 12-hour rotation to 09:00–17:00 local without shifting it", () => {
    const tz = "America/New_York";
    const l = layer({
      users: ["A", "B", "C"],
      rotation_virtual_start: "2026-01-05T00:00:00-05:00",
      rotation_turn_length_seconds: 43_200,
      restrictions: [daily("09:00:00", 8 * 3600)],
    });
    const s = schedule(tz, [l]);
    // Turns (EST): Jan 5 00–12 A, 12–24 B, Jan 6 00–12 C, 12–24 A. Windows 09–17 each day, split at noon.
    // C's turn still happens overnight (restrictions don't shift the rotation), so Jan 6 starts with C.
    expect(local(renderLayer(s, l, d("2026-01-05T00:00:00-05:00"), d("2026-01-07T00:00:00-05:00")), tz)).toEqual([
      "2026-01-05T09:00:00-05:00 → 2026-01-05T12:00:00-05:00 A",
      "2026-01-05T12:00:00-05:00 → 2026-01-05T17:00:00-05:00 B",
      "2026-01-06T09:00:00-05:00 → 2026-01-06T12:00:00-05:00 C",
      "2026-01-06T12:00:00-05:00 → 2026-01-06T17:00:00-05:00 A",
    ]);
  });

  it("applies a weekly restriction Monday 09:00 for 5 days across a mid-week handoff", () => {
    const l = layer({
      users: ["A", "B"],
      rotation_virtual_start: "2026-01-07T00:00:00Z", // a Wednesday
      rotation_turn_length_seconds: WEEK,
      restrictions: [weekly(1, "09:00:00", 5 * DAY)],
    });
    const s = schedule("UTC", [l]);
    // Windows: Mon Jan 5 09:00 → Sat Jan 10 09:00 and Mon Jan 12 09:00 → Sat Jan 17 09:00.
    // Turns: −1 = B until Wed Jan 7 00:00, 0 = A until Wed Jan 14 00:00, 1 = B after.
    expect(utc(renderLayer(s, l, d("2026-01-05T00:00:00Z"), d("2026-01-19T00:00:00Z")))).toEqual([
      "2026-01-05T09:00:00.000Z → 2026-01-07T00:00:00.000Z B",
      "2026-01-07T00:00:00.000Z → 2026-01-10T09:00:00.000Z A",
      "2026-01-12T09:00:00.000Z → 2026-01-14T00:00:00.000Z A",
      "2026-01-14T00:00:00.000Z → 2026-01-17T09:00:00.000Z B",
    ]);
  });

  it("includes a weekly window that began before `since` and is still open", () => {
    const l = layer({
      users: ["A"],
      rotation_virtual_start: "2026-01-05T00:00:00Z",
      rotation_turn_length_seconds: WEEK,
      restrictions: [weekly(5, "18:00:00", 3 * DAY)], // Fri Jan 9 18:00 → Mon Jan 12 18:00
    });
    const s = schedule("UTC", [l]);
    expect(utc(renderLayer(s, l, d("2026-01-11T00:00:00Z"), d("2026-01-11T12:00:00Z")))).toEqual([
      "2026-01-11T00:00:00.000Z → 2026-01-11T12:00:00.000Z A",
    ]);
  });

  it("keeps 09:00–17:00 local across the New York spring-forward day", () => {
    const tz = "America/New_York";
    const l = layer({
      users: ["A"],
      rotation_virtual_start: "2026-03-01T00:00:00-05:00",
      rotation_turn_length_seconds: WEEK,
      restrictions: [daily("09:00:00", 8 * 3600)],
    });
    const s = schedule(tz, [l]);
    // Mar 7 09:00 EST = 14:00Z; Mar 8 09:00 EDT = 13:00Z: the UTC window moves an hour earlier.
    expect(utc(renderLayer(s, l, d("2026-03-07T00:00:00-05:00"), d("2026-03-09T00:00:00-04:00")))).toEqual([
      "2026-03-07T14:00:00.000Z → 2026-03-07T22:00:00.000Z A",
      "2026-03-08T13:00:00.000Z → 2026-03-08T21:00:00.000Z A",
    ]);
  });
});

describe("layers, overrides and the final schedule", () => {
  it("lets the first layer in API order win and falls through its restricted gaps", () => {
    const base = layer({ users: ["A"], rotation_virtual_start: "2026-01-05T00:00:00Z", rotation_turn_length_seconds: DAY });
    const top = layer({
      users: ["B"],
      rotation_virtual_start: "2026-01-05T00:00:00Z",
      rotation_turn_length_seconds: DAY,
      restrictions: [daily("09:00:00", 8 * 3600)],
    });
    // GET order is highest layer first.
    const s = schedule("UTC", [top, base]);
    const r = renderSchedule(s, d("2026-01-05T00:00:00Z"), d("2026-01-06T00:00:00Z"));
    expect(utc(r.layers[0] ?? [])).toEqual(["2026-01-05T09:00:00.000Z → 2026-01-05T17:00:00.000Z B"]);
    expect(utc(r.layers[1] ?? [])).toEqual(["2026-01-05T00:00:00.000Z → 2026-01-06T00:00:00.000Z A"]);
    expect(r.overrides).toEqual([]);
    expect(utc(r.final)).toEqual([
      "2026-01-05T00:00:00.000Z → 2026-01-05T09:00:00.000Z A",
      "2026-01-05T09:00:00.000Z → 2026-01-05T17:00:00.000Z B",
      "2026-01-05T17:00:00.000Z → 2026-01-06T00:00:00.000Z A",
    ]);
    // Swapping the stored order swaps the winner: the unrestricted layer now hides the restricted one.
    expect(utc(renderSchedule(schedule("UTC", [base, top]), d("2026-01-05T00:00:00Z"), d("2026-01-06T00:00:00Z")).final)).toEqual([
      "2026-01-05T00:00:00.000Z → 2026-01-06T00:00:00.000Z A",
    ]);
  });

  it("splits a shift around an override in its middle", () => {
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-01-05T09:00:00Z", rotation_turn_length_seconds: DAY });
    const s = schedule("UTC", [l], [override("O1", "2026-01-05T12:00:00Z", "2026-01-05T15:00:00Z", "C")]);
    const r = renderSchedule(s, d("2026-01-05T09:00:00Z"), d("2026-01-06T09:00:00Z"));
    expect(utc(r.overrides)).toEqual(["2026-01-05T12:00:00.000Z → 2026-01-05T15:00:00.000Z C"]);
    expect(utc(r.final)).toEqual([
      "2026-01-05T09:00:00.000Z → 2026-01-05T12:00:00.000Z A",
      "2026-01-05T12:00:00.000Z → 2026-01-05T15:00:00.000Z C",
      "2026-01-05T15:00:00.000Z → 2026-01-06T09:00:00.000Z A",
    ]);
  });

  it("lets an override span a handoff", () => {
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-01-05T09:00:00Z", rotation_turn_length_seconds: DAY });
    const s = schedule("UTC", [l], [override("O1", "2026-01-06T06:00:00Z", "2026-01-06T12:00:00Z", "C")]);
    // A's turn (Jan 5 09:00 → Jan 6 09:00) loses its last 3 h, B's turn loses its first 3 h.
    expect(utc(renderSchedule(s, d("2026-01-05T09:00:00Z"), d("2026-01-07T09:00:00Z")).final)).toEqual([
      "2026-01-05T09:00:00.000Z → 2026-01-06T06:00:00.000Z A",
      "2026-01-06T06:00:00.000Z → 2026-01-06T12:00:00.000Z C",
      "2026-01-06T12:00:00.000Z → 2026-01-07T09:00:00.000Z B",
    ]);
  });

  it("resolves overlapping overrides in favour of the later one", () => {
    const l = layer({ users: ["A"], rotation_virtual_start: "2026-01-05T00:00:00Z", rotation_turn_length_seconds: DAY });
    const s = schedule("UTC", [l], [
      override("O1", "2026-01-05T10:00:00Z", "2026-01-05T14:00:00Z", "X"),
      override("O2", "2026-01-05T12:00:00Z", "2026-01-05T16:00:00Z", "Y"),
    ]);
    const r = renderSchedule(s, d("2026-01-05T08:00:00Z"), d("2026-01-05T18:00:00Z"));
    expect(utc(r.overrides)).toEqual([
      "2026-01-05T10:00:00.000Z → 2026-01-05T12:00:00.000Z X",
      "2026-01-05T12:00:00.000Z → 2026-01-05T16:00:00.000Z Y",
    ]);
    expect(utc(r.final)).toEqual([
      "2026-01-05T08:00:00.000Z → 2026-01-05T10:00:00.000Z A",
      "2026-01-05T10:00:00.000Z → 2026-01-05T12:00:00.000Z X",
      "2026-01-05T12:00:00.000Z → 2026-01-05T16:00:00.000Z Y",
      "2026-01-05T16:00:00.000Z → 2026-01-05T18:00:00.000Z A",
    ]);
  });

  it("clips layers, overrides and the final schedule to [since, until)", () => {
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-01-05T09:00:00Z", rotation_turn_length_seconds: DAY });
    const s = schedule("UTC", [l], [
      override("O1", "2026-01-04T00:00:00Z", "2026-01-05T14:00:00Z", "C"), // starts before since
      override("O2", "2026-01-06T10:00:00Z", "2026-01-09T00:00:00Z", "D"), // ends after until
      override("O3", "2026-01-07T00:00:00Z", "2026-01-08T00:00:00Z", "E"), // entirely outside
    ]);
    const r = renderSchedule(s, d("2026-01-05T13:30:00Z"), d("2026-01-06T10:15:00Z"));
    expect(utc(r.layers[0] ?? [])).toEqual([
      "2026-01-05T13:30:00.000Z → 2026-01-06T09:00:00.000Z A",
      "2026-01-06T09:00:00.000Z → 2026-01-06T10:15:00.000Z B",
    ]);
    expect(utc(r.overrides)).toEqual([
      "2026-01-05T13:30:00.000Z → 2026-01-05T14:00:00.000Z C",
      "2026-01-06T10:00:00.000Z → 2026-01-06T10:15:00.000Z D",
    ]);
    expect(utc(r.final)).toEqual([
      "2026-01-05T13:30:00.000Z → 2026-01-05T14:00:00.000Z C",
      "2026-01-05T14:00:00.000Z → 2026-01-06T09:00:00.000Z A",
      "2026-01-06T09:00:00.000Z → 2026-01-06T10:00:00.000Z B",
      "2026-01-06T10:00:00.000Z → 2026-01-06T10:15:00.000Z D",
    ]);
    expect(renderSchedule(s, d("2026-01-06T00:00:00Z"), d("2026-01-06T00:00:00Z")).final).toEqual([]);
  });

  it("joins a user's consecutive turns, fall-throughs and overrides in the final schedule but not in layers", () => {
    const base = layer({ users: ["A", "A", "B"], rotation_virtual_start: "2026-01-05T00:00:00Z", rotation_turn_length_seconds: DAY });
    const top = layer({
      users: ["B"],
      rotation_virtual_start: "2026-01-05T00:00:00Z",
      rotation_turn_length_seconds: DAY,
      restrictions: [daily("20:00:00", 4 * 3600)], // 20:00–24:00 daily
    });
    const s = schedule("UTC", [top, base], [override("O1", "2026-01-08T00:00:00Z", "2026-01-08T06:00:00Z", "B")]);
    const r = renderSchedule(s, d("2026-01-05T00:00:00Z"), d("2026-01-09T00:00:00Z"));
    // Base turns: Jan 5 A, Jan 6 A, Jan 7 B, Jan 8 A (3 mod 3 = 0): one layer entry per turn.
    expect(utc(r.layers[1] ?? [])).toEqual([
      "2026-01-05T00:00:00.000Z → 2026-01-06T00:00:00.000Z A",
      "2026-01-06T00:00:00.000Z → 2026-01-07T00:00:00.000Z A",
      "2026-01-07T00:00:00.000Z → 2026-01-08T00:00:00.000Z B",
      "2026-01-08T00:00:00.000Z → 2026-01-09T00:00:00.000Z A",
    ]);
    // Final: A Jan 5 00:00 → Jan 5 20:00 | B 20–24 | A Jan 6 00–20 | B Jan 6 20:00 → Jan 8 06:00
    // (top layer's B, then base B's whole turn, then top B 20–24 on Jan 7, then the override B) | A → 20:00 | B → 24:00.
    expect(utc(r.final)).toEqual([
      "2026-01-05T00:00:00.000Z → 2026-01-05T20:00:00.000Z A",
      "2026-01-05T20:00:00.000Z → 2026-01-06T00:00:00.000Z B",
      "2026-01-06T00:00:00.000Z → 2026-01-06T20:00:00.000Z A",
      "2026-01-06T20:00:00.000Z → 2026-01-08T06:00:00.000Z B",
      "2026-01-08T06:00:00.000Z → 2026-01-08T20:00:00.000Z A",
      "2026-01-08T20:00:00.000Z → 2026-01-09T00:00:00.000Z B",
    ]);
  });

  it("produces no final entry where nobody is on call", () => {
    const only = layer({
      users: ["A"],
      rotation_virtual_start: "2026-01-05T00:00:00Z",
      rotation_turn_length_seconds: DAY,
      restrictions: [daily("09:00:00", 3600)],
    });
    const s = schedule("UTC", [only]);
    expect(utc(renderSchedule(s, d("2026-01-05T00:00:00Z"), d("2026-01-07T00:00:00Z")).final)).toEqual([
      "2026-01-05T09:00:00.000Z → 2026-01-05T10:00:00.000Z A",
      "2026-01-06T09:00:00.000Z → 2026-01-06T10:00:00.000Z A",
    ]);
  });
});

describe("daylight saving", () => {
  it("keeps a daily 09:00 handoff at 09:00 New York time across spring-forward (23-hour shift)", () => {
    const tz = "America/New_York";
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-03-05T09:00:00-05:00", rotation_turn_length_seconds: DAY });
    const entries = renderLayer(schedule(tz, [l]), l, d("2026-03-07T09:00:00-05:00"), d("2026-03-10T09:00:00-04:00"));
    // Turns from Mar 5: Mar 7 is turn 2 → A, Mar 8 turn 3 → B, Mar 9 turn 4 → A.
    expect(local(entries, tz)).toEqual([
      "2026-03-07T09:00:00-05:00 → 2026-03-08T09:00:00-04:00 A",
      "2026-03-08T09:00:00-04:00 → 2026-03-09T09:00:00-04:00 B",
      "2026-03-09T09:00:00-04:00 → 2026-03-10T09:00:00-04:00 A",
    ]);
    // 09:00 EST = 14:00Z, 09:00 EDT = 13:00Z: the handoff instant moves an hour, the DST day's shift is 23 h.
    expect(utc(entries)[0]).toBe("2026-03-07T14:00:00.000Z → 2026-03-08T13:00:00.000Z A");
    expect(entries.map(hours)).toEqual([23, 24, 24]);
  });

  it("keeps a daily 09:00 handoff at 09:00 New York time across fall-back (25-hour shift)", () => {
    const tz = "America/New_York";
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-10-29T09:00:00-04:00", rotation_turn_length_seconds: DAY });
    const entries = renderLayer(schedule(tz, [l]), l, d("2026-10-31T09:00:00-04:00"), d("2026-11-02T09:00:00-05:00"));
    // Oct 31 is turn 2 → A (09:00 EDT = 13:00Z) until Nov 1 09:00 EST = 14:00Z: 25 h; then B 24 h.
    expect(utc(entries)).toEqual([
      "2026-10-31T13:00:00.000Z → 2026-11-01T14:00:00.000Z A",
      "2026-11-01T14:00:00.000Z → 2026-11-02T14:00:00.000Z B",
    ]);
    expect(local(entries, tz)[0]).toBe("2026-10-31T09:00:00-04:00 → 2026-11-01T09:00:00-05:00 A");
    expect(entries.map(hours)).toEqual([25, 24]);
  });

  it("keeps a daily 09:00 handoff at 09:00 Berlin time across the 2026-03-29 change", () => {
    const tz = "Europe/Berlin";
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-03-27T09:00:00+01:00", rotation_turn_length_seconds: DAY });
    const entries = renderLayer(schedule(tz, [l]), l, d("2026-03-28T09:00:00+01:00"), d("2026-03-30T09:00:00+02:00"));
    // Mar 28 turn 1 → B from 08:00Z to Mar 29 09:00 CEST = 07:00Z (23 h); Mar 29 turn 2 → A, 24 h.
    expect(utc(entries)).toEqual([
      "2026-03-28T08:00:00.000Z → 2026-03-29T07:00:00.000Z B",
      "2026-03-29T07:00:00.000Z → 2026-03-30T07:00:00.000Z A",
    ]);
    expect(local(entries, tz)).toEqual([
      "2026-03-28T09:00:00+01:00 → 2026-03-29T09:00:00+02:00 B",
      "2026-03-29T09:00:00+02:00 → 2026-03-30T09:00:00+02:00 A",
    ]);
  });

  it("keeps an 8-hour rotation at 8 absolute hours across spring-forward", () => {
    const tz = "America/New_York";
    const l = layer({ users: ["A", "B", "C"], rotation_virtual_start: "2026-03-08T00:00:00-05:00", rotation_turn_length_seconds: 8 * 3600 });
    const entries = renderLayer(schedule(tz, [l]), l, d("2026-03-08T05:00:00Z"), d("2026-03-09T05:00:00Z"));
    // 05:00Z + 8 h steps: 13:00Z, 21:00Z, 05:00Z. In local time the first turn reads 00:00 EST → 09:00 EDT.
    expect(utc(entries)).toEqual([
      "2026-03-08T05:00:00.000Z → 2026-03-08T13:00:00.000Z A",
      "2026-03-08T13:00:00.000Z → 2026-03-08T21:00:00.000Z B",
      "2026-03-08T21:00:00.000Z → 2026-03-09T05:00:00.000Z C",
    ]);
    expect(local(entries, tz)).toEqual([
      "2026-03-08T00:00:00-05:00 → 2026-03-08T09:00:00-04:00 A",
      "2026-03-08T09:00:00-04:00 → 2026-03-08T17:00:00-04:00 B",
      "2026-03-08T17:00:00-04:00 → 2026-03-09T01:00:00-04:00 C",
    ]);
  });

  it("keeps a weekly Monday 09:00 Berlin handoff local across the change (167-hour week)", () => {
    const tz = "Europe/Berlin";
    // 2026-03-23 is a Monday (Mar 1 is a Sunday).
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-03-23T09:00:00+01:00", rotation_turn_length_seconds: WEEK });
    const entries = renderLayer(schedule(tz, [l]), l, d("2026-03-23T09:00:00+01:00"), d("2026-04-06T09:00:00+02:00"));
    // Mon Mar 23 09:00 CET = 08:00Z → Mon Mar 30 09:00 CEST = 07:00Z: 7 × 24 − 1 = 167 h; then a full 168 h.
    expect(utc(entries)).toEqual([
      "2026-03-23T08:00:00.000Z → 2026-03-30T07:00:00.000Z A",
      "2026-03-30T07:00:00.000Z → 2026-04-06T07:00:00.000Z B",
    ]);
    expect(entries.map(hours)).toEqual([167, 168]);
  });

  it("ends an overnight restriction at its local clock time across spring-forward", () => {
    const tz = "America/New_York";
    const l = layer({
      users: ["A"],
      rotation_virtual_start: "2026-03-04T12:00:00-05:00", // weekly handoff on Wednesdays, outside the window
      rotation_turn_length_seconds: WEEK,
      restrictions: [daily("19:00:00", 12 * 3600)], // 19:00 → 07:00
    });
    const entries = renderLayer(schedule(tz, [l]), l, d("2026-03-07T12:00:00-05:00"), d("2026-03-08T12:00:00-04:00"));
    // Mar 7 19:00 EST = Mar 8 00:00Z; Mar 8 07:00 EDT = 11:00Z: the night is 11 real hours, still 19:00–07:00.
    expect(local(entries, tz)).toEqual(["2026-03-07T19:00:00-05:00 → 2026-03-08T07:00:00-04:00 A"]);
    expect(entries.map(hours)).toEqual([11]);
  });

  it("moves a handoff that falls in the spring-forward gap to just after it", () => {
    const tz = "America/New_York";
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-03-06T02:30:00-05:00", rotation_turn_length_seconds: DAY });
    const entries = renderLayer(schedule(tz, [l]), l, d("2026-03-07T02:30:00-05:00"), d("2026-03-09T02:30:00-04:00"));
    // 02:30 does not exist on Mar 8; the handoff happens at 03:30 EDT (= 07:30Z, 24 h after Mar 7 02:30 EST).
    // B's turn then runs to Mar 9 02:30 EDT = 06:30Z: 23 h.
    expect(utc(entries)).toEqual([
      "2026-03-07T07:30:00.000Z → 2026-03-08T07:30:00.000Z B",
      "2026-03-08T07:30:00.000Z → 2026-03-09T06:30:00.000Z A",
    ]);
  });

  it("takes the first of the two 01:30s on the fall-back day", () => {
    const tz = "America/New_York";
    const l = layer({ users: ["A", "B"], rotation_virtual_start: "2026-10-30T01:30:00-04:00", rotation_turn_length_seconds: DAY });
    const entries = renderLayer(schedule(tz, [l]), l, d("2026-10-31T05:30:00Z"), d("2026-11-02T06:30:00Z"));
    // Nov 1 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST); the handoff is the earlier one.
    expect(utc(entries)).toEqual([
      "2026-10-31T05:30:00.000Z → 2026-11-01T05:30:00.000Z B",
      "2026-11-01T05:30:00.000Z → 2026-11-02T06:30:00.000Z A",
    ]);
    expect(entries.map(hours)).toEqual([24, 25]);
    // 06:15Z is 01:15 EST, the second 01:15 of the night: its clock reading precedes the 01:30 handoff, but the
    // handoff (05:30Z) has already happened, so A is on call.
    expect(whoIsOnCall(schedule(tz, [l]), d("2026-11-01T06:15:00Z"))).toBe("A");
    expect(whoIsOnCall(schedule(tz, [l]), d("2026-11-01T05:29:59Z"))).toBe("B");
  });
});

describe("whoIsOnCall", () => {
  it("answers from the final schedule: overrides, layer precedence, gaps, before the layer starts", () => {
    const base = layer({
      users: ["A", "B"],
      rotation_virtual_start: "2026-01-05T09:00:00Z",
      rotation_turn_length_seconds: DAY,
      start: "2026-01-05T00:00:00Z",
      restrictions: [weekly(1, "00:00:00", 5 * DAY)], // weekdays only
    });
    const top = layer({
      users: ["T"],
      rotation_virtual_start: "2026-01-05T00:00:00Z",
      rotation_turn_length_seconds: DAY,
      restrictions: [daily("12:00:00", 3600)],
    });
    const s = schedule("UTC", [top, base], [override("O1", "2026-01-06T15:00:00Z", "2026-01-06T16:00:00Z", "X")]);
    expect(whoIsOnCall(s, d("2026-01-04T23:59:59Z"))).toBeNull(); // Sunday, before base starts; top only at noon
    expect(whoIsOnCall(s, d("2026-01-05T08:59:59Z"))).toBe("B"); // turn −1
    expect(whoIsOnCall(s, d("2026-01-05T09:00:00Z"))).toBe("A"); // handoff instant belongs to the new turn
    expect(whoIsOnCall(s, d("2026-01-05T12:30:00Z"))).toBe("T"); // top layer's window
    expect(whoIsOnCall(s, d("2026-01-06T15:30:00Z"))).toBe("X"); // override
    expect(whoIsOnCall(s, d("2026-01-10T03:00:00Z"))).toBeNull(); // Saturday: base restricted away
    expect(whoIsOnCall(s, d("2026-01-10T12:00:00Z"))).toBe("T"); // Saturday noon: top layer only
  });
});

describe("formatInZone", () => {
  it("prints local time with the zone's offset at that instant, as PagerDuty does", () => {
    // 16:00Z on Mar 8 is after LA's 10:00Z spring-forward: PDT, −07:00.
    expect(formatInZone(d("2026-03-08T16:00:00Z"), "America/Los_Angeles")).toBe("2026-03-08T09:00:00-07:00");
    expect(formatInZone(d("2026-03-08T09:59:59Z"), "America/Los_Angeles")).toBe("2026-03-08T01:59:59-08:00");
    expect(formatInZone(d("2026-01-05T12:34:56.789Z"), "Asia/Kolkata")).toBe("2026-01-05T18:04:56+05:30");
    expect(formatInZone(d("2026-01-05T12:00:00Z"), "Europe/London")).toBe("2026-01-05T12:00:00+00:00");
    expect(formatInZone(d("2026-01-05T12:00:00Z"), "UTC")).toBe("2026-01-05T12:00:00Z");
    expect(() => formatInZone(d("2026-01-05T12:00:00Z"), "Not/AZone")).toThrow(RangeError);
  });
});

describe("scale", () => {
  // Speed is measured in bench/schedule-render.ts (no timing assertions in tests: shared machines are noisy).
  it("renders 90 days of 500 three-layer schedules, turn by turn", () => {
    const zones = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles", "UTC"];
    const schedules: SimSchedule[] = [];
    for (let i = 0; i < 500; i++) {
      schedules.push(
        schedule(
          zones[i % zones.length] ?? "UTC",
          [
            layer({ users: ["A", "B"], rotation_virtual_start: "2026-01-03T18:00:00Z", rotation_turn_length_seconds: WEEK, restrictions: [weekly(6, "00:00:00", 2 * DAY)] }),
            layer({ users: ["C", "D", "E"], rotation_virtual_start: "2026-01-01T01:00:00Z", rotation_turn_length_seconds: 8 * 3600, restrictions: [daily("18:00:00", 14 * 3600)] }),
            layer({ users: ["F", "G", "H", "I"], rotation_virtual_start: "2026-01-01T09:00:00Z", rotation_turn_length_seconds: DAY }),
          ],
          [override(`O${i}`, "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z", "Z")],
        ),
      );
    }
    let entries = 0;
    for (const s of schedules) entries += renderSchedule(s, d("2026-01-15T00:00:00Z"), d("2026-04-15T00:00:00Z")).final.length;
    expect(entries).toBeGreaterThan(500 * 90);
  });
});
