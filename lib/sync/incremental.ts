/**
 * Incremental sync from the account's audit trail (/audit/records since the stored high-water mark).
 * Records that carry the whole change are applied as they are (member added/removed/role, user field
 * changes, deletions); what they cannot tell is re-fetched (a created user, a changed schedule's layers, a
 * policy, a team whose new member's role was not recorded). On-call shifts are refreshed only for changed
 * schedules and policies, and extended when the stored horizon runs short.
 */
import { escalationPolicySchema, isPagerDutyError, licenseSchema, teamSchema, wrapped, type PdAuditRecord, type PdEscalationPolicy, type PdSchedule, type PdTeam, type PdTeamMember, type PdUser } from "@/lib/pagerduty";
import type { Tx } from "@/lib/db";
import { markRemovedWhere, type Row } from "./bulk";
import type { SyncContext } from "./context";
import { layerMemberRows, membershipRow, oncallRow, policyRow, policyTargetRows, scheduleRow, teamRow, userRow } from "./entities";
import { readAll, readOncalls } from "./full";
import { writeEntity } from "./store";

const DAY = 86_400_000;
/** PagerDuty: `until` may be no more than 31 days after `since`. */
const WINDOW = 30 * DAY;

export interface HighWater {
  at: Date;
  ids: string[];
}

/** Audit records after the high-water mark, oldest first, without the ones already applied. */
export async function readAuditSince(ctx: SyncContext, mark: HighWater, until: Date): Promise<PdAuditRecord[]> {
  const seen = new Set(mark.ids);
  const out = new Map<string, PdAuditRecord>();
  for (let from = mark.at.getTime(); from < until.getTime(); from += WINDOW) {
    const to = Math.min(from + WINDOW, until.getTime());
    const list = ctx.client.listAuditRecords({ since: new Date(from).toISOString(), until: new Date(to).toISOString(), limit: 100 });
    for (const r of await readAll(ctx, "auditRecords", list)) if (!seen.has(r.id)) out.set(r.id, r);
  }
  return [...out.values()].sort((a, b) => a.execution_time.localeCompare(b.execution_time) || a.id.localeCompare(b.id));
}

/** The newest applied instant and the records at it (the next read starts there and skips them). */
export function nextHighWater(mark: HighWater, records: PdAuditRecord[]): HighWater {
  const last = records[records.length - 1];
  if (!last) return mark;
  const at = last.execution_time;
  return { at: new Date(at), ids: records.filter((r) => r.execution_time === at).map((r) => r.id) };
}

const USER_FIELDS: Record<string, string> = { name: "name", email: "email", role: "role", job_title: "jobTitle", time_zone: "timeZone" };
const TEAM_FIELDS: Record<string, string> = { name: "name", description: "description", default_role: "defaultRole" };

/** What the records say, folded in order (a later record about the same thing wins). */
class Delta {
  readonly refetchUsers = new Set<string>();
  readonly deletedUsers = new Set<string>();
  readonly userPatches = new Map<string, Record<string, string | null>>();
  readonly licensePatches = new Map<string, string | null>();
  readonly refetchTeams = new Set<string>();
  readonly deletedTeams = new Set<string>();
  readonly teamPatches = new Map<string, Record<string, string | null>>();
  /** `${team}|${user}` → role, or null for removed; undefined role: added, role not recorded. */
  readonly members = new Map<string, string | null | undefined>();
  readonly schedules = new Set<string>();
  readonly deletedSchedules = new Set<string>();
  readonly policies = new Set<string>();
  readonly deletedPolicies = new Set<string>();

  apply(r: PdAuditRecord): void {
    const id = r.root_resource.id;
    const kind = (r.root_resource.type ?? "").replace(/_reference$/, "");
    const fields = r.details?.fields ?? [];
    if (kind === "user") {
      if (r.action === "delete") return void (this.deletedUsers.add(id), this.refetchUsers.delete(id));
      if (r.action === "create") return void (this.refetchUsers.add(id), this.deletedUsers.delete(id));
      for (const f of fields) {
        const str = f.value === null || f.value === undefined ? null : String(f.value);
        if (f.name === "license") this.licensePatches.set(id, str);
        const col = USER_FIELDS[f.name];
        if (col) this.userPatches.set(id, { ...this.userPatches.get(id), [col]: str });
      }
    } else if (kind === "team") {
      if (r.action === "delete") return void (this.deletedTeams.add(id), this.refetchTeams.delete(id));
      if (r.action === "create") return void (this.refetchTeams.add(id), this.deletedTeams.delete(id));
      for (const ref of r.details?.references ?? []) {
        if (ref.name !== "members") continue;
        for (const u of ref.added) if (!this.members.get(`${id}|${u.id}`)) this.members.set(`${id}|${u.id}`, undefined);
        for (const u of ref.removed) this.members.set(`${id}|${u.id}`, null);
      }
      for (const f of fields) {
        if (f.name === "members.role" && r.details?.resource) this.members.set(`${id}|${r.details.resource.id}`, f.value === null || f.value === undefined ? undefined : String(f.value));
        const col = TEAM_FIELDS[f.name];
        if (col) this.teamPatches.set(id, { ...this.teamPatches.get(id), [col]: f.value === null || f.value === undefined ? null : String(f.value) });
      }
    } else if (kind === "schedule") {
      if (r.action === "delete") return void (this.deletedSchedules.add(id), this.schedules.delete(id));
      this.schedules.add(id);
    } else if (kind === "escalation_policy") {
      if (r.action === "delete") return void (this.deletedPolicies.add(id), this.policies.delete(id));
      this.policies.add(id);
    }
  }
}

const notFound = (error: unknown) => isPagerDutyError(error) && error.kind === "http" && error.status === 404;

/** Fetches `id`, or undefined when PagerDuty says it is gone. */
async function fetchOrGone<T>(ctx: SyncContext, entity: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    const value = await run();
    ctx.progress.page(entity, 1);
    return value;
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

export async function incrementalSync(ctx: SyncContext, records: PdAuditRecord[], oncallsSyncedUntil: Date | null): Promise<{ oncallsUntil: Date | null }> {
  const { client, connectionId: c, writes, progress } = ctx;
  const d = new Delta();
  for (const r of records) d.apply(r);
  progress.setPhase("applying");

  // Members added without a recorded role: re-read that team's members.
  for (const [key, role] of d.members) if (role === undefined) d.refetchTeams.add(key.split("|")[0] as string);

  const users: PdUser[] = [];
  for (const id of d.refetchUsers) {
    const u = await fetchOrGone(ctx, "users", () => client.getUser(id));
    if (!u) {
      d.deletedUsers.add(id);
      continue;
    }
    users.push(u);
    // A new user's license is not on the user object: one request for it (licenses.read may be missing: skip).
    const license = await fetchOrGone(ctx, "licenseAllocations", () =>
      client.request({ method: "GET", route: "/users/{id}/license", params: { id }, schema: wrapped("license", licenseSchema) }).then((x) => x.data),
    ).catch(() => undefined);
    if (license) d.licensePatches.set(id, license.id);
  }
  const teams: { team: PdTeam; members: PdTeamMember[] }[] = [];
  for (const id of d.refetchTeams) {
    const t = await fetchOrGone(ctx, "teams", () => client.request({ method: "GET", route: "/teams/{id}", params: { id }, schema: wrapped("team", teamSchema) }).then((x) => x.data));
    if (!t) {
      d.deletedTeams.add(id);
      continue;
    }
    teams.push({ team: t, members: await readAll(ctx, "memberships", client.listTeamMembers(id)) });
  }
  const schedules: PdSchedule[] = [];
  for (const id of d.schedules) {
    const s = await fetchOrGone(ctx, "schedules", () => client.getSchedule(id));
    if (s) schedules.push(s);
    else d.deletedSchedules.add(id);
  }
  const policies: PdEscalationPolicy[] = [];
  for (const id of d.policies) {
    const p = await fetchOrGone(ctx, "escalationPolicies", () =>
      client.request({ method: "GET", route: "/escalation_policies/{id}", params: { id }, schema: wrapped("escalation_policy", escalationPolicySchema) }).then((x) => x.data),
    );
    if (p) policies.push(p);
    else d.deletedPolicies.add(id);
  }

  writes.push(async (tx) => {
    await writeEntity(tx, ctx, "users", users.map((u) => userRow(c, u)));
    await patchRows(tx, ctx, "PdUser", "users", d.userPatches);
    await patchLicenses(tx, c, d.licensePatches);
    await removeUsers(tx, ctx, [...d.deletedUsers]);
    for (const { team, members } of teams) {
      await writeEntity(tx, ctx, "teams", [teamRow(c, team)]);
      await writeEntity(tx, ctx, "memberships", members.map((m) => membershipRow(c, team.id, m)), { remove: { teamPdId: team.id } });
    }
    await patchRows(tx, ctx, "PdTeam", "teams", d.teamPatches);
    await applyMembers(tx, ctx, d);
    await removeWith(tx, ctx, "teams", "PdTeam", "pdId", [...d.deletedTeams]);
    await removeWith(tx, ctx, "memberships", "PdTeamMembership", "teamPdId", [...d.deletedTeams]);
    for (const s of schedules) {
      await writeEntity(tx, ctx, "schedules", [scheduleRow(c, s)]);
      await writeEntity(tx, ctx, "layerMembers", layerMemberRows(c, s), { remove: { schedulePdId: s.id } });
    }
    await removeWith(tx, ctx, "schedules", "PdSchedule", "pdId", [...d.deletedSchedules]);
    await removeWith(tx, ctx, "layerMembers", "PdScheduleLayerMember", "schedulePdId", [...d.deletedSchedules]);
    await removeWith(tx, ctx, "oncalls", "PdOncallShift", "schedulePdId", [...d.deletedSchedules]);
    for (const p of policies) {
      await writeEntity(tx, ctx, "policies", [policyRow(c, p)]);
      await writeEntity(tx, ctx, "policyTargets", policyTargetRows(c, p), { remove: { policyPdId: p.id } });
    }
    await removeWith(tx, ctx, "policies", "PdEscalationPolicy", "pdId", [...d.deletedPolicies]);
    await removeWith(tx, ctx, "policyTargets", "PdEscalationTarget", "policyPdId", [...d.deletedPolicies]);
    await removeWith(tx, ctx, "oncalls", "PdOncallShift", "escalationPolicyPdId", [...d.deletedPolicies]);
  });

  progress.setPhase("oncalls");
  const until = new Date(ctx.seenAt.getTime() + ctx.horizonDays * DAY);
  const changedSchedules = schedules.map((s) => s.id);
  const changedPolicies = policies.map((p) => p.id);
  if (changedSchedules.length) {
    const shifts = await readOncalls(ctx, ctx.seenAt, until, [], { scheduleIds: changedSchedules });
    writes.push((tx) => writeEntity(tx, ctx, "oncalls", shifts.map((o) => oncallRow(c, o)), { remove: { schedulePdId: changedSchedules } }));
  }
  if (changedPolicies.length) {
    const shifts = await readOncalls(ctx, ctx.seenAt, until, [], { escalationPolicyIds: changedPolicies });
    writes.push((tx) => writeEntity(tx, ctx, "oncalls", shifts.map((o) => oncallRow(c, o)), { remove: { escalationPolicyPdId: changedPolicies } }));
  }
  // Extend the stored horizon once it has less than a day to spare (new shifts only: nothing to remove).
  if (!oncallsSyncedUntil || oncallsSyncedUntil.getTime() < until.getTime() - DAY) {
    const shifts = await readOncalls(ctx, oncallsSyncedUntil && oncallsSyncedUntil > ctx.seenAt ? oncallsSyncedUntil : ctx.seenAt, until, []);
    writes.push((tx) => writeEntity(tx, ctx, "oncalls", shifts.map((o) => oncallRow(c, o))));
    return { oncallsUntil: until };
  }
  return { oncallsUntil: oncallsSyncedUntil };
}

/** Applies field changes the records carried in full: load the rows, patch, write back in one statement. */
async function patchRows(tx: Tx, ctx: SyncContext, table: "PdUser" | "PdTeam", entity: "users" | "teams", patches: Map<string, Record<string, string | null>>): Promise<void> {
  if (patches.size === 0) return;
  const where = { connectionId: ctx.connectionId, pdId: { in: [...patches.keys()] }, removedAt: null };
  const rows: Row[] =
    table === "PdUser"
      ? (await tx.pdUser.findMany({ where })).map((u) => ({ connectionId: u.connectionId, pdId: u.pdId, name: u.name, email: u.email, emailLower: u.emailLower, role: u.role, jobTitle: u.jobTitle, timeZone: u.timeZone, invitationPending: u.invitationPending, htmlUrl: u.htmlUrl }))
      : (await tx.pdTeam.findMany({ where })).map((t) => ({ connectionId: t.connectionId, pdId: t.pdId, name: t.name, description: t.description, defaultRole: t.defaultRole, htmlUrl: t.htmlUrl }));
  for (const row of rows) {
    Object.assign(row, patches.get(row.pdId as string));
    if (table === "PdUser") row.emailLower = String(row.email).toLowerCase();
  }
  await writeEntity(tx, ctx, entity, rows);
}

async function patchLicenses(tx: Tx, connectionId: string, patches: Map<string, string | null>): Promise<void> {
  if (patches.size === 0) return;
  const ids = [...patches.keys()];
  await tx.$executeRawUnsafe(
    `UPDATE "PdUser" u SET "licensePdId" = a.lic FROM unnest($2::text[], $3::text[]) AS a(uid, lic) WHERE u."connectionId" = $1 AND u."pdId" = a.uid`,
    connectionId,
    ids,
    ids.map((id) => patches.get(id) ?? null),
  );
}

async function applyMembers(tx: Tx, ctx: SyncContext, d: Delta): Promise<void> {
  const upserts: Row[] = [];
  const removals: [string, string][] = [];
  for (const [key, role] of d.members) {
    const [team, user] = key.split("|") as [string, string];
    if (d.refetchTeams.has(team) || d.deletedTeams.has(team)) continue;
    if (role === null) removals.push([team, user]);
    else if (role !== undefined) upserts.push({ connectionId: ctx.connectionId, teamPdId: team, userPdId: user, role });
  }
  await writeEntity(tx, ctx, "memberships", upserts);
  if (removals.length) {
    const removed = await tx.$executeRawUnsafe(
      `UPDATE "PdTeamMembership" m SET "removedAt" = $2::timestamptz FROM unnest($3::text[], $4::text[]) AS r(team, uid)
       WHERE m."connectionId" = $1 AND m."teamPdId" = r.team AND m."userPdId" = r.uid AND m."removedAt" IS NULL`,
      ctx.connectionId,
      ctx.seenAt.toISOString(),
      removals.map((r) => r[0]),
      removals.map((r) => r[1]),
    );
    ctx.progress.count("memberships", { created: 0, updated: 0, removed });
  }
}

async function removeWith(tx: Tx, ctx: SyncContext, entity: string, table: string, column: string, values: string[]): Promise<void> {
  const removed = await markRemovedWhere(tx, table, ctx.connectionId, ctx.seenAt, column, values);
  if (removed) ctx.progress.count(entity, { created: 0, updated: 0, removed });
}

/** A deleted user: PagerDuty also drops their memberships, rotation places, direct targets and shifts. */
async function removeUsers(tx: Tx, ctx: SyncContext, ids: string[]): Promise<void> {
  await removeWith(tx, ctx, "users", "PdUser", "pdId", ids);
  await removeWith(tx, ctx, "memberships", "PdTeamMembership", "userPdId", ids);
  await removeWith(tx, ctx, "layerMembers", "PdScheduleLayerMember", "userPdId", ids);
  await removeWith(tx, ctx, "policyTargets", "PdEscalationTarget", "targetPdId", ids);
  await removeWith(tx, ctx, "oncalls", "PdOncallShift", "userPdId", ids);
}
