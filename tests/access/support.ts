/**
 * Shared world of the just-in-time access tests: the pipeline harness (simulator over HTTP, a migrated
 * database, a connection, the organisation mirrored as a sync leaves it, a change worker), portal people
 * matched by e-mail to PagerDuty users, a controllable portal clock, and helpers to build catalog items.
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import { configureAccess } from "@/lib/access/options";
import { createCatalogItem } from "@/lib/access/catalog";
import { catalogItemInput } from "@/lib/access/schemas";
import { DEFAULT_RULES, type PolicyRulesInput } from "@/lib/access/policy";
import { accessTick } from "@/lib/access/tick";
import type { Person, PortalRole } from "@/lib/generated/prisma/client";
import { settled, startPipelineHarness, stopPipelineHarness, type PipelineHarness } from "../changes/support";

export { settled };

export interface AccessWorld extends PipelineHarness {
  admin: Actor;
  clock: { now: number; advance(ms: number): void; set(ms: number): void };
}

export const actorOf = (p: Pick<Person, "id" | "email" | "name" | "roles">): Actor => ({ personId: p.id, email: p.email, name: p.name, roles: [...p.roles] });

export async function startAccessWorld(): Promise<AccessWorld> {
  const h = await startPipelineHarness();
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      this.now += ms;
    },
    set(ms: number) {
      this.now = ms;
    },
  };
  configureAccess({ now: () => clock.now, smtpUrl: null });
  const admin = await person(h.db, { label: "policy-admin", roles: ["ADMIN", "MEMBER"] });
  return { ...h, admin: actorOf(admin), clock };
}

export async function stopAccessWorld(w: Partial<AccessWorld>): Promise<void> {
  configureAccess();
  await stopPipelineHarness(w);
}

/** A portal person; with `pdUserId`, one whose e-mail matches that PagerDuty user (so they are that user). */
export async function person(db: Db, opts: { label?: string; roles?: PortalRole[]; email?: string } = {}): Promise<Person> {
  const id = randomUUID();
  return db.person.create({ data: { id, email: (opts.email ?? `${opts.label ?? "p"}-${id.slice(0, 8)}@example.test`).toLowerCase(), name: opts.label ?? "Person", roles: opts.roles ?? ["MEMBER"], status: "ACTIVE" } });
}

/** The portal person of a simulated PagerDuty user (matched by e-mail), created on first use. */
export async function personOfPdUser(w: AccessWorld, pdUserId: string, roles: PortalRole[] = ["MEMBER"]): Promise<Actor> {
  const u = w.sim.state.data.users.get(pdUserId)!;
  const existing = await w.db.person.findUnique({ where: { email: u.email.toLowerCase() } });
  return actorOf(existing ?? (await person(w.db, { label: u.name, email: u.email, roles })));
}

/** Rules whose only approvers are these people (one approval). */
export const namedApprovers = (ids: string[]): Pick<PolicyRulesInput, "deciders"> => ({ deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: ids, groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }] });

export function rules(overrides: Partial<PolicyRulesInput> = {}): PolicyRulesInput {
  return { ...DEFAULT_RULES, ...overrides };
}

export async function teamItem(w: AccessWorld, teamPdId: string, role: "manager" | "responder" | "observer", ruleOverrides: Partial<PolicyRulesInput> = {}) {
  const fallback = await person(w.db, { label: "fallback" });
  const input = catalogItemInput.parse({ connectionId: w.connectionId, kind: "TEAM_ROLE", teamPdId, role, name: `Team ${teamPdId} ${role}`, rules: rules({ fallbackApproverIds: [fallback.id], ...ruleOverrides }) });
  const { itemId } = await createCatalogItem(w.db, w.admin, input);
  return { itemId, fallback: actorOf(fallback) };
}

export async function baseRoleItem(w: AccessWorld, role: "user" | "admin" | "limited_user", approverIds: string[], ruleOverrides: Partial<PolicyRulesInput> = {}, fromRoles: string[] = []) {
  const fallback = await person(w.db, { label: "fallback" });
  const input = catalogItemInput.parse({
    connectionId: w.connectionId,
    kind: "BASE_ROLE",
    role,
    fromRoles,
    name: `Base role ${role}`,
    rules: rules({ fallbackApproverIds: [fallback.id], ...namedApprovers(approverIds), ...ruleOverrides }),
  });
  const { itemId } = await createCatalogItem(w.db, w.admin, input);
  return { itemId, fallback: actorOf(fallback) };
}

/** Runs the access tick on the world's clock until `done` holds (the pipeline works meanwhile). */
export async function tickUntil<T>(w: AccessWorld, done: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await accessTick(w.db, new Date(w.clock.now));
    const v = await done();
    if (v) return v;
    if (Date.now() > until) throw new Error("tickUntil: condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a refusal must leave alone: the rows of requests, approvals, history, changes, and the simulator's organisation. */
export async function snapshot(w: AccessWorld) {
  const s = w.sim.state.data;
  return {
    requests: await w.db.accessRequest.count(),
    approvals: await w.db.accessRequestApproval.count(),
    events: await w.db.accessRequestEvent.count(),
    changes: await w.db.changeRequest.count(),
    simulator: JSON.stringify({
      memberships: [...s.memberships.values()].map((m) => `${m.teamId}:${m.userId}:${m.role}`).sort(),
      roles: [...s.users.values()].map((u) => `${u.id}:${u.role}`).sort(),
      audit: s.auditRecords.length,
    }),
  };
}

/** Waits (ticking the access clock) until the request has this status. */
export function untilStatus(w: AccessWorld, requestId: string, status: string, timeoutMs = 60_000) {
  return tickUntil(
    w,
    async () => {
      const r = await w.db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
      return r.status === status ? r : null;
    },
    timeoutMs,
  );
}

/** Simulated PagerDuty users, not the owner nor read-only, not targeted by an escalation policy, matching `filter`; distinct on each call. */
export function pdUsers(w: AccessWorld, n: number, filter: (u: { id: string; role: string }) => boolean = () => true): string[] {
  const s = w.sim.state;
  const taken = ((w as unknown as { __taken?: Set<string> }).__taken ??= new Set<string>());
  const out = s
    .usersOrdered()
    .filter((u) => !taken.has(u.id) && !u.role.startsWith("read_only") && u.role !== "owner" && s.policiesTargetingUser(u.id).length === 0 && filter(u))
    .slice(0, n)
    .map((u) => u.id);
  if (out.length < n) throw new Error(`only ${out.length} of ${n} simulated users fit`);
  for (const id of out) taken.add(id);
  return out;
}

/** A team, and users who are not on it. */
export function teamAndOutsiders(w: AccessWorld, n: number, teamIndex = 0) {
  const team = w.sim.state.teamsOrdered()[teamIndex]!;
  return { team, outsiders: pdUsers(w, n, (u) => !w.sim.state.membership(team.id, u.id)) };
}

/** A new team in the simulator and in the synced model (as a sync would leave it), with these members. */
export async function newTeam(w: AccessWorld, members: { userId: string; role: "manager" | "responder" | "observer" }[] = []) {
  const s = w.sim.state;
  const id = s.ids.next();
  const at = new Date();
  s.seedTeam({ id, name: `Access test team ${id}`, description: null, default_role: "manager", createdAt: at.toISOString() });
  for (const m of members) s.seedMembership({ teamId: id, userId: m.userId, role: m.role });
  s.touch();
  await w.db.pdTeam.create({ data: { connectionId: w.connectionId, pdId: id, name: `Access test team ${id}`, firstSeenAt: at, lastSeenAt: at } });
  if (members.length) await w.db.pdTeamMembership.createMany({ data: members.map((m) => ({ connectionId: w.connectionId, teamPdId: id, userPdId: m.userId, role: m.role, firstSeenAt: at, lastSeenAt: at })) });
  return id;
}

/** Resolves once no change of the pipeline is waiting or in flight (so the simulator holds still). */
export async function pipelineIdle(w: AccessWorld, timeoutMs = 60_000) {
  const ids = (await w.db.changeRequest.findMany({ where: { status: { notIn: ["VERIFIED", "UNVERIFIED", "FAILED", "CANCELLED", "SCHEDULED", "HELD"] } }, select: { id: true } })).map((c) => c.id);
  if (ids.length) await settled(w.db, ids, timeoutMs);
}
