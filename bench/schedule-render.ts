/** Rendering speed: 500 three-layer schedules over a 90-day window (what /oncalls needs). Prints numbers. */
import { renderSchedule } from "../simulator/schedule/render";
import type { SimLayer, SimSchedule } from "../simulator/schedule/types";

const DAY = 86_400;
const layer = (id: string, users: string[], start: string, turn: number, restrictions: SimLayer["restrictions"] = []): SimLayer => ({
  id,
  name: id,
  start: "2026-01-01T00:00:00Z",
  end: null,
  rotation_virtual_start: start,
  rotation_turn_length_seconds: turn,
  users,
  restrictions,
});
const zones = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles", "UTC"];
const schedules: SimSchedule[] = Array.from({ length: 500 }, (_, i) => ({
  id: `S${i}`,
  name: `Schedule ${i}`,
  description: null,
  time_zone: zones[i % zones.length] ?? "UTC",
  teamIds: [],
  overrides: [{ id: `O${i}`, start: "2026-02-01T00:00:00Z", end: "2026-02-02T00:00:00Z", userId: "Z" }],
  layers: [
    layer("L1", ["A", "B"], "2026-01-03T18:00:00Z", 7 * DAY, [{ type: "weekly_restriction", start_day_of_week: 6, start_time_of_day: "00:00:00", duration_seconds: 2 * DAY }]),
    layer("L2", ["C", "D", "E"], "2026-01-01T01:00:00Z", 8 * 3600, [{ type: "daily_restriction", start_time_of_day: "18:00:00", duration_seconds: 14 * 3600 }]),
    layer("L3", ["F", "G", "H", "I"], "2026-01-01T09:00:00Z", DAY),
  ],
}));
const since = new Date("2026-01-15T00:00:00Z");
const until = new Date("2026-04-15T00:00:00Z");
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  let entries = 0;
  for (const s of schedules) entries += renderSchedule(s, since, until).final.length;
  console.log(JSON.stringify({ bench: "schedule-render", run, schedules: 500, days: 90, finalEntries: entries, ms: Math.round(performance.now() - started) }));
}
