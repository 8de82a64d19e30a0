/**
 * The seeded organisation: a realistic PagerDuty account, the same for the same SimState seed (and the same
 * UTC day of the sim clock: every timestamp is anchored to that day's midnight so a restarted demo looks alike).
 * Everything is drawn from `state.rng` in a fixed order; nothing iterates in an order that depends on hashing.
 *
 * Cost is linear in the sizes (no per-user scans per team), so 10,000 users / 1,000 teams seed in well under a
 * second and 50,000 users fit comfortably in memory.
 */
import type { SimLayer, SimOverride, SimRestriction, SimSchedule } from "../schedule/types";
import { formatInZone, wallToInstant } from "../schedule/tz";
import type { Rng } from "./ids";
import type { SimEscalationPolicy, SimEscalationRule, SimIncident, SimLicense, SimUser, TeamRole, UserRole } from "./model";
import { COLORS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, TEAM_AREAS, TEAM_FUNCTIONS, TIME_ZONES } from "./names";
import type { SimState } from "./state";

export interface OrgSize {
  users: number;
  teams: number;
  schedules: number;
  escalationPolicies: number;
}

export const DEFAULT_ORG_SIZE: OrgSize = { users: 60, teams: 8, schedules: 6, escalationPolicies: 6 };

/** Without "offboarding": a user with assigned unresolved incidents cannot be deleted (NOTES §2.9). */
export const DEFAULT_ABILITIES = ["teams", "read_only_users", "advanced_permissions", "audit_trail", "sso", "urgencies", "service_support_hours", "team_responders"] as const;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const READ_ONLY_ROLES: ReadonlySet<UserRole> = new Set(["read_only_user", "read_only_limited_user"]);

/** Base roles other than the one owner, with their share of the organisation. */
const ROLE_WEIGHTS: readonly [UserRole, number][] = [
  ["admin", 3],
  ["user", 40],
  ["limited_user", 40],
  ["observer", 4],
  ["restricted_access", 3],
  ["read_only_user", 6],
  ["read_only_limited_user", 4],
];

export function seedOrganisation(state: SimState, size: OrgSize): void {
  const rng = state.rng;
  const anchor = Math.floor(state.clock.now() / DAY_MS) * DAY_MS;
  // An account whose plan was chosen beforehand keeps its abilities (and gets only the roles they allow).
  if (state.data.abilities.size === 0) for (const ability of DEFAULT_ABILITIES) state.data.abilities.add(ability);

  const licenses = seedLicenses(state);
  const users = seedUsers(state, rng, Math.max(1, size.users), anchor, licenses);
  // Seats: what is allocated plus some headroom, as a purchased plan would have.
  for (const license of licenses.values()) {
    const allocated = users.filter((u) => u.licenseId === license.id).length;
    license.current_value = allocated + Math.max(5, Math.ceil(allocated * 0.05));
  }

  const teamIds = seedTeams(state, rng, size.teams, users, anchor);
  const schedulesByTeam = seedSchedules(state, rng, size.schedules, teamIds, users, anchor);
  const policyIds = seedPolicies(state, rng, size.escalationPolicies, teamIds, schedulesByTeam);
  seedIncidents(state, rng, users, policyIds, anchor);
  state.touch();
}

// ---- licenses and users -------------------------------------------------------------------------------

function seedLicenses(state: SimState): Map<"FullUser" | "Stakeholder", SimLicense> {
  const full: SimLicense = {
    id: state.ids.next(),
    name: "Full User",
    description: "Full platform access: respond to incidents, manage schedules and escalation policies.",
    valid_roles: ["owner", "admin", "user", "limited_user", "observer", "restricted_access"],
    role_group: "FullUser",
    current_value: 0,
  };
  const stakeholder: SimLicense = {
    id: state.ids.next(),
    name: "Stakeholder",
    description: "Read-only access for people who follow incidents but do not respond to them.",
    valid_roles: ["read_only_user", "read_only_limited_user"],
    role_group: "Stakeholder",
    current_value: 0,
  };
  for (const l of [full, stakeholder]) state.data.licenses.set(l.id, l);
  return new Map([
    ["FullUser", full],
    ["Stakeholder", stakeholder],
  ]);
}

/** The license a role belongs with (the user's license must list the role in valid_roles). */
export function licenseGroupOf(role: UserRole): "FullUser" | "Stakeholder" {
  return READ_ONLY_ROLES.has(role) ? "Stakeholder" : "FullUser";
}

/** Roles the account's abilities allow (NOTES §2.1: read_only_users, advanced_permissions). */
export function roleAllowed(abilities: ReadonlySet<string>, role: UserRole): boolean {
  if (READ_ONLY_ROLES.has(role)) return abilities.has("read_only_users");
  if (role === "observer" || role === "restricted_access") return abilities.has("advanced_permissions");
  return true;
}

function seedUsers(state: SimState, rng: Rng, count: number, anchor: number, licenses: Map<string, SimLicense>): SimUser[] {
  const roles = ROLE_WEIGHTS.filter(([role]) => roleAllowed(state.data.abilities, role));
  const totalWeight = roles.reduce((sum, [, w]) => sum + w, 0);
  const names = new UniqueNames(state.data.subdomain);
  const users: SimUser[] = [];
  for (let i = 0; i < count; i++) {
    const { name, email } = names.next(rng);
    const role: UserRole = i === 0 ? "owner" : weighted(rng, roles, totalWeight);
    const createdAt = new Date(anchor - rng.int(30, 1500) * DAY_MS - rng.int(0, 23) * HOUR_MS).toISOString();
    const user: SimUser = {
      id: state.ids.next(),
      name,
      email,
      time_zone: rng.chance(0.7) ? rng.pick(TIME_ZONES.slice(0, 5)) : rng.pick(TIME_ZONES),
      color: rng.pick(COLORS),
      role,
      job_title: i === 0 ? "VP of Engineering" : rng.pick(JOB_TITLES),
      description: null,
      invitation_sent: i !== 0 && rng.chance(0.02),
      created_via_sso: rng.chance(0.25),
      licenseId: licenses.get(licenseGroupOf(role))?.id ?? null,
      licenseAllocatedAt: createdAt,
      createdAt,
    };
    state.seedUser(user);
    users.push(user);
  }
  return users;
}

function weighted<T>(rng: Rng, items: readonly [T, number][], total: number): T {
  let r = rng.next() * total;
  for (const [item, w] of items) {
    if ((r -= w) < 0) return item;
  }
  return (items[items.length - 1] as [T, number])[0];
}

/** Unique display names (middle initials, then numbers, when a first+last pair repeats) and unique emails. */
class UniqueNames {
  private readonly seenNames = new Map<string, number>();
  private readonly emails = new Set<string>();
  constructor(private readonly subdomain: string) {}

  next(rng: Rng): { name: string; email: string } {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const key = `${first} ${last}`;
    const n = this.seenNames.get(key) ?? 0;
    this.seenNames.set(key, n + 1);
    const middle = n >= 1 && n <= 26 ? String.fromCharCode(64 + n) : null;
    const name = middle ? `${first} ${middle}. ${last}` : n > 26 ? `${first} ${last} ${n - 25}` : key;
    const local = [first, middle, n > 26 ? `${last}${n - 25}` : last].filter((p) => p !== null).map(emailPart).join(".");
    let email = `${local}@${this.subdomain}.example.com`;
    for (let k = 2; this.emails.has(email); k++) email = `${local}${k}@${this.subdomain}.example.com`;
    this.emails.add(email);
    return { name, email };
  }
}

function emailPart(word: string): string {
  return word.normalize("NFD").toLowerCase().replace(/[^a-z0-9-]/g, "");
}

// ---- teams and memberships --------------------------------------------------------------------------

function seedTeams(state: SimState, rng: Rng, count: number, users: SimUser[], anchor: number): string[] {
  // Stakeholders (read-only roles) cannot hold a team role (PUT /teams/{id}/users refuses them).
  const eligible = users.filter((u) => !READ_ONLY_ROLES.has(u.role));
  const average = Math.min(eligible.length, Math.max(3, Math.round((users.length * 2) / Math.max(1, count))));
  const names = teamNames(rng, count);
  const ids: string[] = [];
  for (let t = 0; t < count; t++) {
    const id = state.ids.next();
    const name = names[t] as string;
    state.seedTeam({ id, name, description: `${name} team`, default_role: "manager", createdAt: new Date(anchor - rng.int(60, 1500) * DAY_MS).toISOString() });
    ids.push(id);
    const target = Math.min(eligible.length, Math.max(1, Math.round(average * (0.5 + rng.next()))));
    const chosen = new Set<number>();
    while (chosen.size < target) chosen.add(Math.floor(rng.next() * eligible.length));
    let first = true;
    for (const index of chosen) {
      const user = eligible[index] as SimUser;
      state.seedMembership({ teamId: id, userId: user.id, role: first ? "manager" : teamRoleFor(rng, user.role) });
      first = false;
    }
  }
  return ids;
}

/** Team roles follow base roles (Terraform docs: user ↔ manager, limited_user ↔ responder). */
function teamRoleFor(rng: Rng, role: UserRole): TeamRole {
  switch (role) {
    case "owner":
    case "admin":
    case "user":
      return rng.chance(0.35) ? "manager" : "responder";
    case "observer":
      return "observer";
    case "restricted_access":
      return rng.chance(0.5) ? "observer" : "responder";
    default:
      return rng.chance(0.15) ? "observer" : "responder";
  }
}

function teamNames(rng: Rng, count: number): string[] {
  const combos = TEAM_AREAS.flatMap((area) => TEAM_FUNCTIONS.map((fn) => `${area} ${fn}`));
  // The first teams get plain area names ("Payments"), as small organisations name them.
  const plain = rng.sample(TEAM_AREAS, TEAM_AREAS.length);
  const rest = rng.sample(combos, Math.min(combos.length, Math.max(0, count - plain.length)));
  const names = [...plain, ...rest];
  for (let n = 2; names.length < count; n++) for (const c of combos) if (names.length < count) names.push(`${c} ${n}`);
  return names.slice(0, count);
}

// ---- schedules ---------------------------------------------------------------------------------------

const ROTATIONS: readonly [number, number][] = [
  [86_400, 45],
  [604_800, 40],
  [43_200, 15],
];

const RESTRICTIONS: readonly SimRestriction[] = [
  { type: "daily_restriction", start_time_of_day: "09:00:00", duration_seconds: 9 * 3600 },
  { type: "daily_restriction", start_time_of_day: "18:00:00", duration_seconds: 15 * 3600 },
  // Monday 09:00 to Friday 17:00
  { type: "weekly_restriction", start_day_of_week: 1, start_time_of_day: "09:00:00", duration_seconds: 4 * 86_400 + 8 * 3600 },
  // The weekend: Saturday 00:00 for two days
  { type: "weekly_restriction", start_day_of_week: 6, start_time_of_day: "00:00:00", duration_seconds: 2 * 86_400 },
];

const SCHEDULE_KINDS = ["Primary", "Secondary", "Business Hours", "Follow the Sun", "Weekend"] as const;

/** Each schedule belongs to one team (round-robin) and rotates that team's responders. */
function seedSchedules(state: SimState, rng: Rng, count: number, teamIds: string[], users: SimUser[], anchor: number): Map<string, string[]> {
  const byTeam = new Map<string, string[]>();
  const fallback = users.filter((u) => !READ_ONLY_ROLES.has(u.role)).map((u) => u.id);
  for (let s = 0; s < count; s++) {
    const teamId = teamIds.length ? (teamIds[s % teamIds.length] as string) : null;
    const members = teamId ? state.membersOfTeam(teamId).filter((m) => m.role !== "observer").map((m) => m.userId) : [];
    const pool = members.length >= 2 ? members : fallback;
    const ofTeam = teamId ? (byTeam.get(teamId) ?? []) : [];
    const teamName = teamId ? (state.data.teams.get(teamId)?.name ?? "") : "Org";
    const kind = SCHEDULE_KINDS[ofTeam.length % SCHEDULE_KINDS.length] as string;
    const round = Math.floor(ofTeam.length / SCHEDULE_KINDS.length);
    const timeZone = rng.chance(0.8) ? rng.pick(TIME_ZONES.slice(0, 5)) : rng.pick(TIME_ZONES);
    const schedule: SimSchedule = {
      id: state.ids.next(),
      name: `${teamName} ${kind}${round ? ` ${round + 1}` : ""}`,
      description: `${kind} on-call rotation for ${teamName}`,
      time_zone: timeZone,
      layers: seedLayers(state, rng, pool, timeZone, anchor),
      overrides: [],
      teamIds: teamId ? [teamId] : [],
    };
    schedule.overrides = seedOverrides(state, rng, schedule, pool, anchor);
    state.data.schedules.set(schedule.id, schedule);
    if (teamId) byTeam.set(teamId, [...ofTeam, schedule.id]);
  }
  return byTeam;
}

function seedLayers(state: SimState, rng: Rng, pool: string[], timeZone: string, anchor: number): SimLayer[] {
  const count = weighted(rng, [[1, 50], [2, 35], [3, 15]], 100);
  const layers: SimLayer[] = [];
  for (let i = 1; i <= count; i++) {
    const turn = weighted(rng, ROTATIONS, 100);
    // Handoff at a local hour a few weeks ago; the virtual start may precede the start (spec ScheduleLayer).
    const day = anchor - rng.int(14, 56) * DAY_MS;
    const start = wallToInstant(timeZone, day + rng.pick([0, 9, 10, 17]) * HOUR_MS);
    const virtualStart = start - (turn === 604_800 ? rng.int(0, 6) : 0) * DAY_MS;
    layers.push({
      id: state.ids.next(),
      name: `Layer ${i}`,
      start: formatInZone(new Date(start), timeZone),
      end: null,
      rotation_virtual_start: formatInZone(new Date(virtualStart), timeZone),
      rotation_turn_length_seconds: turn,
      users: rng.sample(pool, rng.int(2, 6)),
      restrictions: turn !== 43_200 && rng.chance(0.3) ? [{ ...rng.pick(RESTRICTIONS) }] : [],
    });
  }
  // Stored in GET order: the highest layer first (see schedule/render.ts).
  return layers.reverse();
}

function seedOverrides(state: SimState, rng: Rng, schedule: SimSchedule, pool: string[], anchor: number): SimOverride[] {
  if (!rng.chance(0.35)) return [];
  const overrides: SimOverride[] = [];
  for (let k = rng.int(1, 2); k > 0; k--) {
    const start = wallToInstant(schedule.time_zone, anchor + rng.int(1, 6) * DAY_MS + rng.pick([9, 18]) * HOUR_MS);
    const end = start + rng.pick([4, 8, 12, 24]) * HOUR_MS;
    overrides.push({
      id: state.ids.next(),
      start: formatInZone(new Date(start), schedule.time_zone),
      end: formatInZone(new Date(end), schedule.time_zone),
      userId: rng.pick(pool),
    });
  }
  return overrides;
}

// ---- escalation policies and incidents ---------------------------------------------------------------

function seedPolicies(state: SimState, rng: Rng, count: number, teamIds: string[], schedulesByTeam: Map<string, string[]>): string[] {
  const ids: string[] = [];
  const perTeam = new Map<string, number>();
  for (let p = 0; p < count; p++) {
    const teamId = teamIds.length ? (teamIds[p % teamIds.length] as string) : null;
    const nth = teamId ? (perTeam.get(teamId) ?? 0) + 1 : p + 1;
    if (teamId) perTeam.set(teamId, nth);
    const teamName = teamId ? (state.data.teams.get(teamId)?.name ?? "") : "Org";
    const schedules = teamId ? (schedulesByTeam.get(teamId) ?? []) : [];
    const members = teamId ? state.membersOfTeam(teamId).filter((m) => m.role !== "observer") : [];
    const managers = members.filter((m) => m.role === "manager").map((m) => m.userId);
    const people = members.map((m) => m.userId);
    const levels = weighted(rng, [[1, 25], [2, 50], [3, 25]], 100);
    const rules: SimEscalationRule[] = [];
    for (let level = 1; level <= levels; level++) {
      const targets: SimEscalationRule["targets"] = [];
      const schedule = schedules[(level - 1 + nth - 1) % Math.max(1, schedules.length)];
      if (schedule && (level === 1 || rng.chance(0.5))) targets.push({ type: "schedule_reference", id: schedule });
      // Sometimes a person directly (a permanent on-call): a manager on higher levels, anyone on level 1.
      const direct = level === 1 ? people : managers.length ? managers : people;
      if (direct.length && (targets.length === 0 || rng.chance(0.2))) targets.push({ type: "user_reference", id: rng.pick(direct) });
      if (targets.length) rules.push({ id: state.ids.next(), escalation_delay_in_minutes: rng.pick([15, 30, 30, 60]), targets });
    }
    const policy: SimEscalationPolicy = {
      id: state.ids.next(),
      name: `${teamName} Escalation Policy${nth > 1 ? ` ${nth}` : ""}`,
      description: `Escalation for ${teamName}`,
      num_loops: rng.int(0, 2),
      on_call_handoff_notifications: rng.chance(0.8) ? "if_has_services" : "always",
      rules,
      teamId,
    };
    state.seedPolicy(policy);
    ids.push(policy.id);
  }
  return ids;
}

const INCIDENT_TITLES = ["High error rate on checkout API", "Database replica lag above threshold", "Disk usage above 90%", "Elevated p99 latency", "Certificate expires in 7 days", "Queue backlog growing", "Health check failing"] as const;

/** About 1% of users hold an unresolved assigned incident (so deleting them is refused), plus a few resolved ones. */
function seedIncidents(state: SimState, rng: Rng, users: SimUser[], policyIds: string[], anchor: number): void {
  const candidates = users.slice(1);
  if (!candidates.length) return;
  const open = Math.max(1, Math.round(users.length * 0.01));
  const assignees = rng.sample(candidates, open);
  const resolved = rng.sample(candidates, Math.round(users.length * 0.005));
  const all = [...assignees.map((u) => [u, rng.chance(0.5) ? "triggered" : "acknowledged"] as const), ...resolved.map((u) => [u, "resolved"] as const)];
  for (const [user, status] of all) {
    const incident: SimIncident = {
      id: state.ids.next("Q"),
      title: rng.pick(INCIDENT_TITLES),
      status,
      assigneeIds: [user.id],
      escalationPolicyId: policyIds.length ? rng.pick(policyIds) : "",
      createdAt: new Date(anchor - rng.int(0, 72) * HOUR_MS).toISOString(),
    };
    state.data.incidents.set(incident.id, incident);
  }
}
