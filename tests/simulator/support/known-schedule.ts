/**
 * A hand-built corner of the seeded organisation, so schedule and on-call answers can be computed by hand:
 *
 * - "Known Daily" (Etc/UTC): one layer, daily turns from Mon 2025-06-02 00:00Z, users A, B, C
 *   → A on 06-02, B on 06-03, C on 06-04, A on 06-05, …
 * - "Known Office Hours" (America/New_York): one layer, weekly turns from Mon 2025-06-02 09:00 local, users A, B,
 *   restricted to 09:00–17:00 local every day → A 09:00–17:00 EDT (13:00–21:00Z) each day of that week, B the next.
 * - "AAA Known Policy" (first by name): level 1 → Known Daily, level 2 → user D directly (a permanent on-call),
 *   level 3 → Known Office Hours. Tied to the team the four users are added to.
 *
 * The sim clock is frozen at NOW = Tue 2025-06-03 12:00Z (B is on the daily layer; nobody on office hours).
 */
import type { RunningSimulator } from "@/simulator";
import type { OrgSize } from "@/simulator/core/seed";
import type { SimEscalationPolicy } from "@/simulator/core/model";
import type { SimSchedule } from "@/simulator/schedule/types";
import { control, startTestSimulator } from "./simulator";

export const KNOWN_NOW = "2025-06-03T12:00:00.000Z";

export interface KnownSchedule {
  users: { A: string; B: string; C: string; D: string };
  daily: SimSchedule;
  office: SimSchedule;
  policy: SimEscalationPolicy;
  teamId: string;
}

export function addKnownSchedule(sim: RunningSimulator): KnownSchedule {
  const state = sim.state;
  sim.clock.freeze(Date.parse(KNOWN_NOW));
  const people = [...state.data.users.values()].filter((u) => u.role === "user" || u.role === "limited_user").slice(0, 4);
  if (people.length < 4) throw new Error("the organisation needs four users or limited users");
  const [A, B, C, D] = people.map((u) => u.id) as [string, string, string, string];
  const teamId = [...state.data.teams.keys()][0] as string;
  const ctx = { principal: { kind: "browser" as const, userId: A }, requestId: "fixture", remoteAddress: "127.0.0.1" };
  for (const id of [A, B, C, D]) if (!state.membership(teamId, id)) state.putMember(ctx, teamId, id, "responder");

  const daily: SimSchedule = {
    id: state.ids.next(),
    name: "Known Daily",
    description: "A, B, C daily",
    time_zone: "Etc/UTC",
    layers: [
      {
        id: state.ids.next(),
        name: "Layer 1",
        start: "2025-06-02T00:00:00Z",
        end: null,
        rotation_virtual_start: "2025-06-02T00:00:00Z",
        rotation_turn_length_seconds: 86_400,
        users: [A, B, C],
        restrictions: [],
      },
    ],
    overrides: [],
    teamIds: [teamId],
  };
  const office: SimSchedule = {
    id: state.ids.next(),
    name: "Known Office Hours",
    description: null,
    time_zone: "America/New_York",
    layers: [
      {
        id: state.ids.next(),
        name: "Layer 1",
        start: "2025-06-02T09:00:00-04:00",
        end: null,
        rotation_virtual_start: "2025-06-02T09:00:00-04:00",
        rotation_turn_length_seconds: 604_800,
        users: [A, B],
        restrictions: [{ type: "daily_restriction", start_time_of_day: "09:00:00", duration_seconds: 8 * 3600 }],
      },
    ],
    overrides: [],
    teamIds: [teamId],
  };
  for (const s of [daily, office]) state.data.schedules.set(s.id, s);
  const policy: SimEscalationPolicy = {
    id: state.ids.next(),
    name: "AAA Known Policy",
    description: null,
    num_loops: 0,
    on_call_handoff_notifications: "if_has_services",
    rules: [
      { id: state.ids.next(), escalation_delay_in_minutes: 30, targets: [{ type: "schedule_reference", id: daily.id }] },
      { id: state.ids.next(), escalation_delay_in_minutes: 30, targets: [{ type: "user_reference", id: D }] },
      { id: state.ids.next(), escalation_delay_in_minutes: 30, targets: [{ type: "schedule_reference", id: office.id }] },
    ],
    teamId,
  };
  state.seedPolicy(policy);
  state.touch();
  return { users: { A, B, C, D }, daily, office, policy, teamId };
}

/** A small seeded organisation (rate limit off) with the known corner added. */
export async function startKnownSimulator(size: OrgSize = { users: 40, teams: 4, schedules: 4, escalationPolicies: 4 }): Promise<{ sim: RunningSimulator; k: KnownSchedule }> {
  const sim = await startTestSimulator({ size, rateLimitPerMinute: 0 });
  return { sim, k: addKnownSchedule(sim) };
}

/** Puts the sim clock back at KNOWN_NOW, frozen (through the control API, as a test would). */
export async function freezeAtKnownNow(sim: RunningSimulator): Promise<void> {
  const res = await control(sim, "/clock", { set: KNOWN_NOW, freeze: true });
  if (res.status !== 200) throw new Error(`clock: ${res.status}`);
}
