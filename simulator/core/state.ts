/**
 * SimState: one simulated PagerDuty account, its indexes, and every mutation. Each mutation appends the
 * audit records PagerDuty would write for it (NOTES §2.8, spec example AuditRecordTeamResponse), attributed
 * to the principal that made it, so the portal's incremental sync and drift attribution can be tested.
 *
 * Reads see earlier writes at once (PagerDuty is eventually consistent in places; the simulator is not,
 * except where a fault is injected).
 */
import { createHash } from "node:crypto";
import type { SimClock } from "./clock";
import { IdFactory, Rng } from "./ids";
import type {
  Principal,
  SimAuditRecord,
  SimData,
  SimEscalationPolicy,
  SimMembership,
  SimReference,
  SimTeam,
  SimUser,
  TeamRole,
} from "./model";

/** Where a write came from, for the audit record's execution context. */
export interface WriteContext {
  principal: Principal;
  requestId: string;
  remoteAddress: string;
}

const memberKey = (teamId: string, userId: string) => `${teamId}:${userId}`;

export class SimState {
  readonly data: SimData;
  readonly ids: IdFactory;
  readonly rng: Rng;
  private readonly byTeam = new Map<string, Map<string, SimMembership>>();
  private readonly byUser = new Map<string, Map<string, SimMembership>>();
  private readonly policiesByTeam = new Map<string, Set<string>>();
  private userList: SimUser[] | null = null;
  private teamList: SimTeam[] | null = null;
  private auditSeq = 0;
  /** Bumped by every change (seeding, mutations, out-of-band edits): lets readers cache derived views. */
  version = 0;
  /** Sign-outs asked for through DELETE /oauth_delegations, oldest first (PagerDuty audits none; tests read this). */
  readonly signOuts: { userId: string; types: ("web" | "mobile")[]; at: string }[] = [];

  constructor(
    readonly clock: SimClock,
    seed: number,
    subdomain = "acme",
  ) {
    this.rng = new Rng(seed);
    this.ids = new IdFactory(new Rng(seed ^ 0x5bd1e995));
    this.data = {
      subdomain,
      abilities: new Set(),
      users: new Map(),
      teams: new Map(),
      memberships: new Map(),
      schedules: new Map(),
      escalationPolicies: new Map(),
      incidents: new Map(),
      licenses: new Map(),
      auditRecords: [],
    };
  }

  // ---- reads --------------------------------------------------------------------------------------

  /** Call after changing `data` directly (schedules, overrides, policies, abilities): invalidates caches. */
  touch(): void {
    this.version++;
  }

  /** Users in PagerDuty's list order (by name, then id). Cached until a user changes. */
  usersOrdered(): SimUser[] {
    this.userList ??= [...this.data.users.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return this.userList;
  }

  teamsOrdered(): SimTeam[] {
    this.teamList ??= [...this.data.teams.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return this.teamList;
  }

  membersOfTeam(teamId: string): SimMembership[] {
    return [...(this.byTeam.get(teamId)?.values() ?? [])];
  }

  teamsOfUser(userId: string): SimMembership[] {
    return [...(this.byUser.get(userId)?.values() ?? [])];
  }

  membership(teamId: string, userId: string): SimMembership | undefined {
    return this.data.memberships.get(memberKey(teamId, userId));
  }

  policiesOfTeam(teamId: string): SimEscalationPolicy[] {
    return [...(this.policiesByTeam.get(teamId) ?? [])].flatMap((id) => this.data.escalationPolicies.get(id) ?? []);
  }

  /** Policies whose rules target the user directly. */
  policiesTargetingUser(userId: string): SimEscalationPolicy[] {
    return [...this.data.escalationPolicies.values()].filter((p) => p.rules.some((r) => r.targets.some((t) => t.type === "user_reference" && t.id === userId)));
  }

  openIncidentsOf(userId: string): number {
    let n = 0;
    for (const i of this.data.incidents.values()) if (i.status !== "resolved" && i.assigneeIds.includes(userId)) n++;
    return n;
  }

  userRef(userId: string): SimReference {
    return { id: userId, type: "user_reference", summary: this.data.users.get(userId)?.name ?? userId };
  }

  teamRef(teamId: string): SimReference {
    return { id: teamId, type: "team_reference", summary: this.data.teams.get(teamId)?.name ?? teamId };
  }

  // ---- seeding (no audit records: the organisation existed before the feed's window) ----------------

  seedUser(user: SimUser): void {
    this.version++;
    this.ids.reserve(user.id);
    this.data.users.set(user.id, user);
    this.userList = null;
  }

  seedTeam(team: SimTeam): void {
    this.version++;
    this.ids.reserve(team.id);
    this.data.teams.set(team.id, team);
    this.teamList = null;
  }

  seedMembership(m: SimMembership): void {
    this.setMembership(m);
  }

  seedPolicy(policy: SimEscalationPolicy): void {
    this.ids.reserve(policy.id);
    this.putPolicy(policy);
  }

  // ---- mutations (each writes audit records) ------------------------------------------------------

  createUser(ctx: WriteContext, user: Omit<SimUser, "id" | "createdAt">): SimUser {
    const created: SimUser = { ...user, id: this.ids.next(), createdAt: this.clock.iso() };
    this.data.users.set(created.id, created);
    this.userList = null;
    this.audit(ctx, this.userRef(created.id), "create", {
      resource: this.userRef(created.id),
      fields: [
        { name: "name", value: created.name },
        { name: "email", value: created.email },
        { name: "role", value: created.role },
      ],
    });
    return created;
  }

  /** Applies the changed fields and audits each one (`role`, `name`, `email`, `job_title`, `time_zone`, license). */
  updateUser(ctx: WriteContext, userId: string, changes: Partial<Omit<SimUser, "id" | "createdAt">>): SimUser {
    const user = this.mustUser(userId);
    const fields: { name: string; value: string | null; before_value: string | null }[] = [];
    for (const [name, value] of Object.entries(changes) as [keyof SimUser, unknown][]) {
      const before = user[name];
      if (value === undefined || value === before) continue;
      fields.push({ name: name === "licenseId" ? "license" : name, value: value === null ? null : String(value), before_value: before === null ? null : String(before) });
    }
    const updated: SimUser = { ...user, ...stripUndefined(changes) };
    this.data.users.set(userId, updated);
    if (updated.name !== user.name) this.userList = null;
    else if (this.userList) this.userList[this.userList.indexOf(user)] = updated;
    if (fields.length) this.audit(ctx, this.userRef(userId), "update", { resource: this.userRef(userId), fields });
    return updated;
  }

  /** Deletes the user, their team memberships and their direct escalation targets (as PagerDuty does). */
  deleteUser(ctx: WriteContext, userId: string): void {
    const ref = this.userRef(userId);
    this.mustUser(userId);
    for (const m of this.teamsOfUser(userId)) this.dropMembership(m.teamId, userId);
    for (const policy of this.data.escalationPolicies.values()) {
      for (const rule of policy.rules) rule.targets = rule.targets.filter((t) => !(t.type === "user_reference" && t.id === userId));
    }
    for (const schedule of this.data.schedules.values()) {
      for (const layer of schedule.layers) layer.users = layer.users.filter((u) => u !== userId);
      schedule.overrides = schedule.overrides.filter((o) => o.userId !== userId);
    }
    this.data.users.delete(userId);
    this.userList = null;
    this.audit(ctx, ref, "delete", { resource: ref });
  }

  createTeam(ctx: WriteContext, team: Omit<SimTeam, "id" | "createdAt">): SimTeam {
    const created: SimTeam = { ...team, id: this.ids.next(), createdAt: this.clock.iso() };
    this.data.teams.set(created.id, created);
    this.teamList = null;
    this.audit(ctx, this.teamRef(created.id), "create", { resource: this.teamRef(created.id), fields: [{ name: "name", value: created.name }] });
    return created;
  }

  updateTeam(ctx: WriteContext, teamId: string, changes: Partial<Pick<SimTeam, "name" | "description" | "default_role">>): SimTeam {
    const team = this.mustTeam(teamId);
    const fields = (Object.entries(changes) as [keyof SimTeam, unknown][])
      .filter(([name, value]) => value !== undefined && value !== team[name])
      .map(([name, value]) => ({ name, value: value === null ? null : String(value), before_value: team[name] === null ? null : String(team[name]) }));
    const updated = { ...team, ...stripUndefined(changes) };
    this.data.teams.set(teamId, updated);
    this.teamList = null;
    if (fields.length) this.audit(ctx, this.teamRef(teamId), "update", { resource: this.teamRef(teamId), fields });
    return updated;
  }

  deleteTeam(ctx: WriteContext, teamId: string): void {
    const ref = this.teamRef(teamId);
    this.mustTeam(teamId);
    for (const m of this.membersOfTeam(teamId)) this.dropMembership(teamId, m.userId);
    for (const schedule of this.data.schedules.values()) schedule.teamIds = schedule.teamIds.filter((t) => t !== teamId);
    this.data.teams.delete(teamId);
    this.teamList = null;
    this.audit(ctx, ref, "delete", { resource: ref });
  }

  /**
   * PUT /teams/{id}/users/{user_id}: adds the member or changes their role. Audited as PagerDuty does:
   * a `members` reference added (new member) and/or a `members.role` field (role set or changed).
   */
  putMember(ctx: WriteContext, teamId: string, userId: string, role: TeamRole): "added" | "changed" | "unchanged" {
    this.mustTeam(teamId);
    this.mustUser(userId);
    const existing = this.membership(teamId, userId);
    if (existing && existing.role === role) return "unchanged";
    this.setMembership({ teamId, userId, role });
    if (!existing) {
      this.audit(ctx, this.teamRef(teamId), "update", { resource: this.teamRef(teamId), references: [{ name: "members", added: [this.userRef(userId)], removed: [] }] });
    }
    this.audit(ctx, this.teamRef(teamId), "update", {
      resource: this.userRef(userId),
      fields: [{ name: "members.role", value: role, before_value: existing?.role ?? null }],
    });
    return existing ? "changed" : "added";
  }

  /** DELETE /teams/{id}/users/{user_id}: audited as a `members` reference removed. */
  removeMember(ctx: WriteContext, teamId: string, userId: string): boolean {
    if (!this.membership(teamId, userId)) return false;
    this.dropMembership(teamId, userId);
    this.audit(ctx, this.teamRef(teamId), "update", { resource: this.teamRef(teamId), references: [{ name: "members", added: [], removed: [this.userRef(userId)] }] });
    return true;
  }

  /** DELETE /oauth_delegations: the user's web and/or mobile sessions end. */
  signOut(userId: string, types: ("web" | "mobile")[]): void {
    this.mustUser(userId);
    this.signOuts.push({ userId, types, at: this.clock.iso() });
    this.version++;
  }

  /** Replaces or adds an escalation policy and keeps the team index right. */
  putPolicy(policy: SimEscalationPolicy): void {
    this.version++;
    const previous = this.data.escalationPolicies.get(policy.id);
    if (previous?.teamId) this.policiesByTeam.get(previous.teamId)?.delete(policy.id);
    this.data.escalationPolicies.set(policy.id, policy);
    if (policy.teamId) {
      let set = this.policiesByTeam.get(policy.teamId);
      if (!set) this.policiesByTeam.set(policy.teamId, (set = new Set()));
      set.add(policy.id);
    }
  }

  /** Appends one audit record. Writes by schedule/override/policy routes call this directly. */
  audit(ctx: WriteContext, root: SimReference, action: "create" | "update" | "delete", details: SimAuditRecord["details"]): SimAuditRecord {
    const { actors, method } = this.attribution(ctx.principal);
    const record: SimAuditRecord = {
      id: `R${(++this.auditSeq).toString(36).toUpperCase().padStart(9, "0")}`,
      execution_time: new Date(Math.max(this.clock.now(), this.lastAuditTime())).toISOString(),
      execution_context: { request_id: ctx.requestId, remote_address: ctx.remoteAddress },
      actors,
      method,
      root_resource: root,
      action,
      details,
    };
    this.data.auditRecords.push(record);
    this.version++;
    return record;
  }

  /** How PagerDuty attributes a change to each kind of caller. */
  attribution(principal: Principal): Pick<SimAuditRecord, "actors" | "method"> {
    switch (principal.kind) {
      case "api_key":
        return {
          actors: [{ id: keyReferenceId(principal.key), type: "api_key_reference", summary: principal.label }],
          method: { type: "api_token", truncated_token: principal.key.slice(-4), description: null },
        };
      case "user_key":
        return {
          actors: [this.userRef(principal.userId)],
          method: { type: "api_token", truncated_token: principal.key.slice(-4), description: null },
        };
      case "oauth":
        return {
          actors: [{ id: keyReferenceId(principal.clientId), type: "app_reference", summary: principal.appName }],
          method: { type: "oauth", truncated_token: principal.token.slice(-4), description: null },
        };
      case "browser":
        return { actors: [this.userRef(principal.userId)], method: { type: "browser", truncated_token: null, description: null } };
    }
  }

  mustUser(userId: string): SimUser {
    const user = this.data.users.get(userId);
    if (!user) throw new Error(`unknown user ${userId}`);
    return user;
  }

  mustTeam(teamId: string): SimTeam {
    const team = this.data.teams.get(teamId);
    if (!team) throw new Error(`unknown team ${teamId}`);
    return team;
  }

  // ---- internals ----------------------------------------------------------------------------------

  private lastAuditTime(): number {
    const last = this.data.auditRecords[this.data.auditRecords.length - 1];
    return last ? Date.parse(last.execution_time) : 0;
  }

  private setMembership(m: SimMembership): void {
    this.version++;
    this.data.memberships.set(memberKey(m.teamId, m.userId), m);
    let t = this.byTeam.get(m.teamId);
    if (!t) this.byTeam.set(m.teamId, (t = new Map()));
    t.set(m.userId, m);
    let u = this.byUser.get(m.userId);
    if (!u) this.byUser.set(m.userId, (u = new Map()));
    u.set(m.teamId, m);
  }

  private dropMembership(teamId: string, userId: string): void {
    this.version++;
    this.data.memberships.delete(memberKey(teamId, userId));
    this.byTeam.get(teamId)?.delete(userId);
    this.byUser.get(userId)?.delete(teamId);
  }
}

/** A stable PagerDuty-style id for a key or app, derived from it (never the key itself). */
export function keyReferenceId(secretOrClientId: string): string {
  const digest = createHash("sha256").update(secretOrClientId).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let id = "P";
  for (let i = 0; i < 6; i++) id += alphabet[(digest[i] ?? 0) % alphabet.length];
  return id;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
