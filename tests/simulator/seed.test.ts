import { describe, expect, it } from "vitest";
import { SimClock } from "@/simulator/core/clock";
import { DEFAULT_ABILITIES, DEFAULT_ORG_SIZE, licenseGroupOf, seedOrganisation, type OrgSize } from "@/simulator/core/seed";
import { SimState } from "@/simulator/core/state";
import { whoIsOnCall } from "@/simulator/schedule/render";

const NOW = Date.parse("2025-03-12T15:30:00Z");

function org(seed: number, size: OrgSize = DEFAULT_ORG_SIZE, abilities?: string[]): SimState {
  const clock = new SimClock();
  clock.freeze(NOW);
  const state = new SimState(clock, seed);
  for (const a of abilities ?? []) state.data.abilities.add(a);
  seedOrganisation(state, size);
  return state;
}

const snapshot = (s: SimState) =>
  JSON.stringify({
    users: [...s.data.users.values()],
    teams: [...s.data.teams.values()],
    memberships: [...s.data.memberships.values()],
    schedules: [...s.data.schedules.values()],
    policies: [...s.data.escalationPolicies.values()],
    incidents: [...s.data.incidents.values()],
    licenses: [...s.data.licenses.values()],
    abilities: [...s.data.abilities],
  });

describe("seedOrganisation", () => {
  it("is deterministic by seed, and different seeds give different organisations", () => {
    expect(snapshot(org(42))).toBe(snapshot(org(42)));
    expect(snapshot(org(42))).not.toBe(snapshot(org(43)));
  });

  it("writes no audit records and sets the default abilities (without offboarding)", () => {
    const s = org(1);
    expect(s.data.auditRecords).toHaveLength(0);
    expect([...s.data.abilities].sort()).toEqual([...DEFAULT_ABILITIES].sort());
    expect(s.data.abilities.has("offboarding")).toBe(false);
  });

  it("has exactly one owner, realistic role proportions, unique names and lower-case unique emails", () => {
    const s = org(3, { users: 10_000, teams: 1_000, schedules: 500, escalationPolicies: 300 });
    const users = [...s.data.users.values()];
    expect(users).toHaveLength(10_000);
    const count = (role: string) => users.filter((u) => u.role === role).length;
    expect(count("owner")).toBe(1);
    expect(count("admin") / users.length).toBeGreaterThan(0.015);
    expect(count("admin") / users.length).toBeLessThan(0.05);
    for (const role of ["user", "limited_user"]) {
      expect(count(role) / users.length).toBeGreaterThan(0.33);
      expect(count(role) / users.length).toBeLessThan(0.47);
    }
    for (const role of ["observer", "restricted_access", "read_only_user", "read_only_limited_user"]) expect(count(role)).toBeGreaterThan(50);
    expect(new Set(users.map((u) => u.name)).size).toBe(users.length);
    expect(new Set(users.map((u) => u.email)).size).toBe(users.length);
    for (const u of users) expect(u.email).toMatch(/^[a-z0-9.-]+@acme\.example\.com$/);
    const invited = users.filter((u) => u.invitation_sent).length / users.length;
    expect(invited).toBeGreaterThan(0.01);
    expect(invited).toBeLessThan(0.03);
    for (const tz of ["America/New_York", "Europe/Berlin", "Europe/London", "Asia/Tokyo", "America/Los_Angeles"]) {
      expect(users.some((u) => u.time_zone === tz)).toBe(true);
    }
  });

  it("gives each user the license matching their role, with seats to spare", () => {
    const s = org(5, { users: 500, teams: 30, schedules: 10, escalationPolicies: 10 });
    const licenses = [...s.data.licenses.values()];
    expect(licenses.map((l) => [l.name, l.role_group])).toEqual([
      ["Full User", "FullUser"],
      ["Stakeholder", "Stakeholder"],
    ]);
    for (const u of s.data.users.values()) {
      const license = s.data.licenses.get(u.licenseId ?? "");
      expect(license?.valid_roles).toContain(u.role);
      expect(license?.role_group).toBe(licenseGroupOf(u.role));
    }
    for (const l of licenses) {
      const allocated = [...s.data.users.values()].filter((u) => u.licenseId === l.id).length;
      expect(l.current_value).toBeGreaterThan(allocated);
    }
  });

  it("uses only the roles the abilities allow, keeping abilities chosen beforehand", () => {
    const s = org(9, { users: 2_000, teams: 20, schedules: 5, escalationPolicies: 5 }, ["teams", "audit_trail"]);
    expect([...s.data.abilities].sort()).toEqual(["audit_trail", "teams"]);
    expect(new Set([...s.data.users.values()].map((u) => u.role))).toEqual(new Set(["owner", "admin", "user", "limited_user"]));
    const withReadOnly = org(9, { users: 2_000, teams: 20, schedules: 5, escalationPolicies: 5 }, ["teams", "read_only_users"]);
    expect(new Set([...withReadOnly.data.users.values()].map((u) => u.role))).toEqual(
      new Set(["owner", "admin", "user", "limited_user", "read_only_user", "read_only_limited_user"]),
    );
  });

  it("builds teams of about users×2/teams members, with managers, responders and observers, people in several teams", () => {
    const s = org(11, { users: 10_000, teams: 1_000, schedules: 500, escalationPolicies: 300 });
    const sizes = [...s.data.teams.keys()].map((id) => s.membersOfTeam(id).length);
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(average).toBeGreaterThan(17);
    expect(average).toBeLessThan(23);
    const roles = new Set([...s.data.memberships.values()].map((m) => m.role));
    expect(roles).toEqual(new Set(["manager", "responder", "observer"]));
    for (const id of s.data.teams.keys()) expect(s.membersOfTeam(id).some((m) => m.role === "manager")).toBe(true);
    const multiTeam = [...s.data.users.keys()].filter((id) => s.teamsOfUser(id).length >= 2).length;
    expect(multiTeam).toBeGreaterThan(3_000);
    // Stakeholders hold no team role.
    for (const m of s.data.memberships.values()) expect(s.data.users.get(m.userId)?.role).not.toMatch(/^read_only/);
    expect(new Set([...s.data.teams.values()].map((t) => t.name)).size).toBe(1_000);
  });

  it("builds schedules of 1–3 layers from one team, with daily/weekly/12-hour turns, restrictions and upcoming overrides", () => {
    const s = org(13, { users: 2_000, teams: 100, schedules: 200, escalationPolicies: 50 });
    const schedules = [...s.data.schedules.values()];
    const turns = new Set<number>();
    let restricted = 0;
    let overrides = 0;
    for (const schedule of schedules) {
      expect(schedule.layers.length).toBeGreaterThanOrEqual(1);
      expect(schedule.layers.length).toBeLessThanOrEqual(3);
      expect(schedule.layers[0]?.name).toBe(`Layer ${schedule.layers.length}`);
      expect(schedule.teamIds).toHaveLength(1);
      const team = new Set(s.membersOfTeam(schedule.teamIds[0] ?? "").map((m) => m.userId));
      for (const layer of schedule.layers) {
        turns.add(layer.rotation_turn_length_seconds);
        if (layer.restrictions.length) restricted++;
        expect(layer.users.length).toBeGreaterThanOrEqual(2);
        expect(layer.users.length).toBeLessThanOrEqual(6);
        for (const u of layer.users) expect(team.has(u)).toBe(true);
        const weeksBefore = (NOW - Date.parse(layer.start)) / (7 * 86_400_000);
        expect(weeksBefore).toBeGreaterThan(1);
        expect(weeksBefore).toBeLessThan(9);
      }
      for (const o of schedule.overrides) {
        overrides++;
        expect(Date.parse(o.start)).toBeGreaterThan(NOW);
        expect(Date.parse(o.start)).toBeLessThan(NOW + 8 * 86_400_000);
        expect(Date.parse(o.end)).toBeGreaterThan(Date.parse(o.start));
      }
      // The renderer accepts what the seed produced.
      expect(() => whoIsOnCall(schedule, new Date(NOW))).not.toThrow();
    }
    expect(turns).toEqual(new Set([86_400, 604_800, 43_200]));
    expect(restricted).toBeGreaterThan(10);
    expect(overrides).toBeGreaterThan(20);
    expect(schedules.filter((sc) => whoIsOnCall(sc, new Date(NOW)) !== null).length).toBeGreaterThan(100);
  });

  it("ties each escalation policy to one team, with 1–3 levels targeting the team's schedules and sometimes users", () => {
    const s = org(17, { users: 2_000, teams: 100, schedules: 100, escalationPolicies: 100 });
    let userTargets = 0;
    for (const p of s.data.escalationPolicies.values()) {
      expect(p.teamId).not.toBeNull();
      expect(s.policiesOfTeam(p.teamId ?? "")).toContain(p);
      expect(p.rules.length).toBeGreaterThanOrEqual(1);
      expect(p.rules.length).toBeLessThanOrEqual(3);
      for (const r of p.rules) {
        expect(r.targets.length).toBeGreaterThan(0);
        for (const t of r.targets) {
          if (t.type === "schedule_reference") expect(s.data.schedules.get(t.id)?.teamIds).toEqual([p.teamId]);
          else {
            userTargets++;
            expect(s.membership(p.teamId ?? "", t.id)).toBeDefined();
          }
        }
      }
      expect(p.rules[0]?.targets.some((t) => t.type === "schedule_reference")).toBe(true);
    }
    expect(userTargets).toBeGreaterThan(10);
  });

  it("assigns unresolved incidents to about 1% of users (never the owner)", () => {
    const s = org(19, { users: 5_000, teams: 200, schedules: 50, escalationPolicies: 50 });
    const blocked = [...s.data.users.values()].filter((u) => s.openIncidentsOf(u.id) > 0);
    expect(blocked.length).toBeGreaterThanOrEqual(40);
    expect(blocked.length).toBeLessThanOrEqual(50);
    expect(blocked.some((u) => u.role === "owner")).toBe(false);
    expect([...s.data.incidents.values()].some((i) => i.status === "resolved")).toBe(true);
  });

  it("copes with 50,000 users", () => {
    const s = org(23, { users: 50_000, teams: 2_500, schedules: 1_000, escalationPolicies: 600 });
    expect(s.data.users.size).toBe(50_000);
    expect(new Set([...s.data.users.values()].map((u) => u.email)).size).toBe(50_000);
    expect(s.usersOrdered()).toHaveLength(50_000);
  });
});
