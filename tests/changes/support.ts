/**
 * Shared setup for the change pipeline tests: a simulator over real HTTP, a migrated database, a connection
 * to the simulator, and the synced model written from the simulator's organisation (as a sync would leave it).
 */
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "@/lib/db";
import { configurePipeline, createChanges, type CreateChangesInput } from "@/lib/changes";
import { APPLY_CHANGE_JOB } from "@/lib/changes/queue";
import "@/lib/changes/jobs";
import { Worker } from "@/lib/jobs";
import type { RunningSimulator, SimulatorOptions } from "@/simulator";
import type { SimState } from "@/simulator/core/state";
import { insertConnection } from "../connections/support/fixtures";
import { startTestSimulator } from "../simulator/support/simulator";
import { createTestDb, type TestDb } from "../support/db";

export { waitFor, sleep } from "../jobs/support";

// Demo mode supplies the encryption key the connection fixture seals its credential with.
process.env.DEMO_MODE ??= "true";

export async function createAdmin(db: Db, label = "admin") {
  const id = randomUUID();
  return db.person.create({ data: { id, email: `${label}-${id.slice(0, 8)}@example.test`, name: `Admin ${label}`, roles: ["ADMIN"], status: "ACTIVE" } });
}

export async function connectTo(db: Db, sim: RunningSimulator) {
  const owner = await createAdmin(db, "owner");
  const row = await insertConnection(db, { ownerPersonId: owner.id, apiBaseUrl: sim.url, apiKey: sim.keys.full });
  return db.pagerDutyConnection.update({ where: { id: row.id }, data: { abilities: [...sim.state.data.abilities].sort() } });
}

/** Writes the simulator's organisation into the synced tables, as a completed sync would. */
export async function mirrorOrganisation(db: Db, connectionId: string, state: SimState, at = new Date()) {
  const seen = { firstSeenAt: at, lastSeenAt: at };
  const d = state.data;
  await db.pdUser.createMany({
    data: [...d.users.values()].map((u) => ({ connectionId, pdId: u.id, name: u.name, email: u.email, emailLower: u.email.toLowerCase(), role: u.role, licensePdId: u.licenseId, ...seen })),
    skipDuplicates: true,
  });
  await db.pdTeam.createMany({ data: [...d.teams.values()].map((t) => ({ connectionId, pdId: t.id, name: t.name, ...seen })), skipDuplicates: true });
  await db.pdTeamMembership.createMany({ data: [...d.memberships.values()].map((m) => ({ connectionId, teamPdId: m.teamId, userPdId: m.userId, role: m.role, ...seen })), skipDuplicates: true });
  await db.pdEscalationPolicy.createMany({ data: [...d.escalationPolicies.values()].map((p) => ({ connectionId, pdId: p.id, name: p.name, teamPdId: p.teamId, ...seen })), skipDuplicates: true });
  await db.pdEscalationTarget.createMany({
    data: [...d.escalationPolicies.values()].flatMap((p) =>
      p.rules.flatMap((r, i) => r.targets.map((t) => ({ connectionId, policyPdId: p.id, level: i + 1, targetType: t.type === "user_reference" ? ("USER" as const) : ("SCHEDULE" as const), targetPdId: t.id, ...seen }))),
    ),
    skipDuplicates: true,
  });
  await db.pdLicense.createMany({ data: [...d.licenses.values()].map((l) => ({ connectionId, pdId: l.id, name: l.name, roleGroup: l.role_group, validRoles: [...l.valid_roles], ...seen })), skipDuplicates: true });
}

/** createChanges in its own transaction, as a cause's service would call it. */
export function requestChanges(db: Db, input: CreateChangesInput, extra?: (tx: Tx) => Promise<void>) {
  return db.$transaction(async (tx) => {
    const created = await createChanges(tx, input);
    await extra?.(tx);
    return created;
  }, { timeout: 60_000 });
}

export const adminCause = () => ({ kind: "admin_action" as const, id: randomUUID() });
export const system = { type: "system" as const, job: "tests.changes" };

export function changeWorker(db: Db, options: { concurrency?: number; leaseMs?: number } = {}) {
  return new Worker({ db, pollMs: 20, leaseMs: options.leaseMs ?? 5_000, schedules: false, names: [APPLY_CHANGE_JOB], concurrency: options.concurrency ?? 4, log: () => {} }).start();
}

/** The pipeline tests' timings: short pauses before applying and verifying, short client backoff. */
export const FAST_PIPELINE = { verifyDelayMs: 20, applyDelayMs: 20, client: { baseDelayMs: 20 } };

export interface PipelineHarness {
  sim: RunningSimulator;
  t: TestDb;
  db: Db;
  connectionId: string;
  worker: Worker;
}

/**
 * The usual pipeline test world: a simulator without rate limit, a fresh database with a connection to it
 * and its organisation mirrored as a sync would leave it, fast pipeline timings, and a change worker.
 */
export async function startPipelineHarness(simOptions: SimulatorOptions = {}): Promise<PipelineHarness> {
  const sim = await startTestSimulator({ rateLimitPerMinute: 0, ...simOptions });
  const t = await createTestDb();
  const db = t.prisma;
  const connectionId = (await connectTo(db, sim)).id;
  await mirrorOrganisation(db, connectionId, sim.state);
  configurePipeline(FAST_PIPELINE);
  return { sim, t, db, connectionId, worker: changeWorker(db) };
}

/** Stops what a pipeline test started (any part may be missing when its setup failed half-way). */
export async function stopPipelineHarness(h: Partial<Pick<PipelineHarness, "sim" | "t" | "worker">>): Promise<void> {
  await h.worker?.stop({ timeoutMs: 5_000 });
  configurePipeline({});
  await h.t?.close();
  await h.sim?.close();
}

/** Resolves once none of the given changes is waiting or in flight any more. */
export async function settled(db: Db, ids: string[], timeoutMs = 60_000) {
  const { waitFor } = await import("../jobs/support");
  return waitFor(async () => {
    const rows = await db.changeRequest.findMany({ where: { id: { in: ids } } });
    return rows.every((r) => ["VERIFIED", "UNVERIFIED", "FAILED", "CANCELLED"].includes(r.status)) ? rows : null;
  }, timeoutMs, 50);
}

/** PagerDuty audit records of the simulator for writes to this team member (root team, the user added/removed or role set). */
export function memberRecords(state: SimState, teamId: string, userId: string) {
  return state.data.auditRecords.filter(
    (r) =>
      r.root_resource.id === teamId &&
      (r.details?.resource?.id === userId || (r.details?.references ?? []).some((ref) => [...(ref.added ?? []), ...(ref.removed ?? [])].some((x) => x.id === userId))),
  );
}
