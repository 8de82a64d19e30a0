/**
 * npm run bench:reviews [-- --items 50000 --workspace 10000 --bulk 5000]
 *
 * Access reviews at size, on PGlite in a temporary folder (or PostgreSQL when BENCH_DATABASE_URL is set):
 *  1. launch: a campaign over 50,000 synced grants (10,000 PagerDuty users × a base role and four team
 *     memberships, reviewed by their teams' managers) — population frozen, manifest, SHA-256;
 *  2. workspace: the reviewer page's server response (workspacePage: first page, a filtered + sorted page,
 *     a search, a deep page) for a reviewer with 10,000 items in one campaign;
 *  3. bulk: one reviewer's bulk decision of 5,000 items (drafts), then submitting them;
 *  4. evidence: the 50,000-item pack streamed as CSV (and JSON), consumed chunk by chunk, with the
 *     process's peak RSS and heap growth sampled while it streams.
 * Targets (issue #6): launch ≤ 10 s, workspace ≤ 1 s, bulk ≤ 2 s, evidence memory < 256 MB. Prints one line
 * per measurement and a final JSON line; asserts nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

process.env.DEMO_MODE ??= "true";

const { values } = parseArgs({ options: { items: { type: "string", default: "50000" }, workspace: { type: "string", default: "10000" }, bulk: { type: "string", default: "5000" } } });
const ITEMS = Number(values.items);
const WORKSPACE = Number(values.workspace);
const BULK = Number(values.bulk);

const { createDb } = await import("@/lib/db/client");
const { applyPendingMigrations } = await import("@/lib/db/migrations");
const { createCampaign, launchCampaign } = await import("@/lib/reviews/campaigns");
const { bulkDecide, submitDecisions } = await import("@/lib/reviews/decisions");
const { workspacePage } = await import("@/lib/reviews/queries");
const { evidenceExport } = await import("@/lib/reviews/evidence");
type Actor = import("@/lib/auth/session").Actor;

const print = (line: string) => console.log(line);
const ms = (t0: number) => Math.round(performance.now() - t0);
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

const dataDir = process.env.BENCH_DATABASE_URL ? null : mkdtempSync(path.join(tmpdir(), "bench-reviews-"));
const handle = dataDir ? createDb({ kind: "pglite", dataDir }) : createDb({ kind: "postgres", url: process.env.BENCH_DATABASE_URL!, poolMax: 8 });
await applyPendingMigrations(handle.adapterFactory);
const db = handle.prisma;
const results: Record<string, number> = {};

try {
  // ---- Seed: people, a connection, users, teams, memberships and grants (as a sync leaves them) ----
  const t0 = performance.now();
  const USERS = Math.ceil(ITEMS / 5);
  const TEAMS = 400;
  const now = new Date();
  const admin = await db.person.create({ data: { id: "bench-admin", email: "admin@bench.test", name: "Bench Admin", roles: ["ADMIN", "MEMBER"] } });
  const reviewer = await db.person.create({ data: { id: "bench-reviewer", email: "reviewer@bench.test", name: "Bench Reviewer", roles: ["MEMBER"] } });
  const conn = await db.pagerDutyConnection.create({
    data: { id: "bench-conn", name: "Bench account", activeName: "bench account", subdomain: "bench", apiBaseUrl: "http://127.0.0.1:9", credentialKind: "API_KEY", secretCiphertext: "-", credentialFingerprint: "f".repeat(64), accessLevel: "FULL", readOnly: false, ownerPersonId: admin.id, purpose: "bench", lastSyncAt: now, lastSuccessfulSyncAt: now, baselineAt: now },
  });
  const c = conn.id;
  await db.$executeRawUnsafe(`INSERT INTO "Person" ("id", "email", "name", "roles", "status", "updatedAt")
    SELECT 'person-' || i, 'user' || i || '@bench.test', 'User ' || lpad(i::text, 6, '0'), ARRAY['MEMBER']::"PortalRole"[], 'ACTIVE', now() FROM generate_series(1, ${USERS}) i`);
  await db.$executeRawUnsafe(`INSERT INTO "PdUser" ("connectionId", "pdId", "name", "email", "emailLower", "role", "invitationPending", "firstSeenAt", "lastSeenAt")
    SELECT $1, 'PU' || i, 'User ' || lpad(i::text, 6, '0'), 'user' || i || '@bench.test', 'user' || i || '@bench.test', CASE WHEN i % 50 = 0 THEN 'admin' ELSE 'user' END, i % 97 = 0, now(), now() FROM generate_series(1, ${USERS}) i`, c);
  await db.$executeRawUnsafe(`INSERT INTO "PdTeam" ("connectionId", "pdId", "name", "firstSeenAt", "lastSeenAt") SELECT $1, 'PT' || t, 'Team ' || lpad(t::text, 3, '0'), now(), now() FROM generate_series(1, ${TEAMS}) t`, c);
  // Four teams per user; the first user of each team is its manager.
  await db.$executeRawUnsafe(`INSERT INTO "PdTeamMembership" ("connectionId", "teamPdId", "userPdId", "role", "firstSeenAt", "lastSeenAt")
    SELECT DISTINCT ON (t, i) $1, 'PT' || t, 'PU' || i, CASE WHEN i <= ${TEAMS} AND t = i THEN 'manager' ELSE 'responder' END, now(), now()
    FROM generate_series(1, ${USERS}) i, LATERAL (SELECT ((i + k * 97) % ${TEAMS}) + 1 AS t FROM generate_series(0, 3) k) x`, c);
  await db.$executeRawUnsafe(`INSERT INTO "Grant" ("id", "connectionId", "pdUserId", "entitlement", "entitlementKey", "role", "teamPdId", "origin", "activeKey", "firstSeenAt", "lastSeenAt")
    SELECT gen_random_uuid()::text, $1, "pdId", 'BASE_ROLE', 'base_role:' || "role", "role", NULL, CASE WHEN "pdId" LIKE '%7' THEN 'DRIFT' ELSE 'BASELINE' END::"GrantOrigin", $1 || '|' || "pdId" || '|base_role:' || "role", now(), now() FROM "PdUser" WHERE "connectionId" = $1`, c);
  await db.$executeRawUnsafe(`INSERT INTO "Grant" ("id", "connectionId", "pdUserId", "entitlement", "entitlementKey", "role", "teamPdId", "origin", "activeKey", "firstSeenAt", "lastSeenAt")
    SELECT gen_random_uuid()::text, $1, "userPdId", 'TEAM_MEMBER', 'team:' || "teamPdId" || ':' || "role", "role", "teamPdId", 'BASELINE', $1 || '|' || "userPdId" || '|team:' || "teamPdId" || ':' || "role", now(), now() FROM "PdTeamMembership" WHERE "connectionId" = $1`, c);
  await db.syncRun.create({ data: { id: "bench-run", connectionId: c, kind: "FULL", trigger: "CLI", status: "SUCCEEDED", phase: "done", startedAt: now, progressAt: now, finishedAt: now } });
  // The workspace reviewer's own grants: WORKSPACE users are also on a team of their own that the reviewer manages.
  const grants = await db.grant.count();
  print(`seed: ${USERS} users, ${TEAMS} teams, ${grants} grants in ${ms(t0)} ms`);

  const adminActor: Actor = { personId: admin.id, email: admin.email, name: admin.name, roles: ["ADMIN", "MEMBER"] };
  const reviewerActor: Actor = { personId: reviewer.id, email: reviewer.email, name: reviewer.name, roles: ["MEMBER"] };
  const base = { description: "", connectionIds: [c], fallbackReviewerId: admin.id, justifyHighRisk: false, dueAt: new Date(Date.now() + 30 * 86_400_000), recurrenceMonths: null };

  // ---- 1. Launch 50,000 items ----
  const big = await createCampaign(db, adminActor, { ...base, name: "Bench: all grants", scope: { kinds: ["BASE_ROLE", "TEAM_MEMBER"] }, policy: { steps: [{ kind: "team_managers" }] } });
  let t = performance.now();
  const launched = await launchCampaign(db, adminActor, { campaignId: big.campaignId });
  results.launchMs = ms(t);
  results.launchItems = launched.itemCount;
  print(`launch: ${launched.itemCount} items frozen (manifest + SHA-256) in ${results.launchMs} ms (target ≤ 10,000 ms)`);

  // ---- 2. Workspace for a 10,000-item reviewer ----
  const ws = await createCampaign(db, adminActor, { ...base, name: "Bench: one reviewer", scope: { kinds: ["BASE_ROLE", "TEAM_MEMBER"] }, policy: { steps: [{ kind: "people", personIds: [reviewer.id] }] } });
  // Scope it to WORKSPACE items: the base roles and memberships of the first users.
  const workspaceUsers = Math.ceil(WORKSPACE / 5);
  await db.reviewCampaign.update({ where: { id: ws.campaignId }, data: { scope: { kinds: ["BASE_ROLE", "TEAM_MEMBER"] } } });
  await db.$executeRawUnsafe(`UPDATE "Grant" SET "removedAt" = now(), "activeKey" = NULL WHERE "connectionId" = $1 AND substring("pdUserId" from 3)::int > ${workspaceUsers}`, c);
  await launchCampaign(db, adminActor, { campaignId: ws.campaignId });
  await db.$executeRawUnsafe(`UPDATE "Grant" SET "removedAt" = NULL, "activeKey" = "connectionId" || '|' || "pdUserId" || '|' || "entitlementKey" WHERE "connectionId" = $1`, c);
  const wsCount = await db.reviewItem.count({ where: { campaignId: ws.campaignId } });
  const timings: number[] = [];
  const queries = [
    { view: "mine" as const },
    { view: "mine" as const, sort: "risk" as const, dir: "desc" as const, state: "undecided" as const },
    { view: "mine" as const, teamPdId: "PT7", role: "responder" },
    { view: "mine" as const, search: "user 0012" },
    { view: "mine" as const, offset: Math.max(0, wsCount - 100), sort: "entitlement" as const },
  ];
  await workspacePage(reviewerActor, { campaignId: ws.campaignId, ...queries[0]! }, db); // warm-up (plans, caches)
  for (const q of queries) {
    t = performance.now();
    const page = await workspacePage(reviewerActor, { campaignId: ws.campaignId, limit: 100, ...q }, db);
    timings.push(ms(t));
    print(`workspace ${JSON.stringify(q)}: ${page.items.length} of ${page.total} in ${timings.at(-1)} ms`);
  }
  results.workspaceItems = wsCount;
  results.workspaceMaxMs = Math.max(...timings);
  print(`workspace: ${wsCount}-item campaign, slowest server response ${results.workspaceMaxMs} ms (target ≤ 1,000 ms)`);

  // ---- 3. Bulk decision of 5,000 items ----
  const ids = (await db.reviewItem.findMany({ where: { campaignId: ws.campaignId }, orderBy: { seq: "asc" }, take: BULK, select: { id: true } })).map((i) => i.id);
  t = performance.now();
  const saved = await bulkDecide(db, reviewerActor, { campaignId: ws.campaignId, itemIds: ids, decision: "CERTIFY" });
  results.bulkMs = ms(t);
  results.bulkItems = saved.saved;
  print(`bulk decision: ${saved.saved} items in ${results.bulkMs} ms (target ≤ 2,000 ms)`);
  t = performance.now();
  const submitted = await submitDecisions(db, reviewerActor, { campaignId: ws.campaignId, itemIds: ids, acknowledgeRubberStamp: true });
  results.submitMs = ms(t);
  print(`submit: ${submitted.submitted ? submitted.count : 0} decisions (rubber stamp ${submitted.submitted && submitted.rubberStamp ? "flagged" : "not flagged"}) in ${results.submitMs} ms`);

  // ---- 4. Evidence export of 50,000 items, streamed ----
  for (const format of ["csv", "json"] as const) {
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 25);
    t = performance.now();
    const pack = await evidenceExport(adminActor, big.campaignId, format, db);
    let bytes = 0;
    const reader = pack.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }
    clearInterval(sampler);
    const took = ms(t);
    results[`evidence_${format}_ms`] = took;
    results[`evidence_${format}_mb`] = mb(bytes);
    results[`evidence_${format}_peak_rss_growth_mb`] = mb(peakRss - before.rss);
    results[`evidence_${format}_peak_heap_growth_mb`] = mb(peakHeap - before.heapUsed);
    print(`evidence ${format}: ${mb(bytes)} MB for ${launched.itemCount} items in ${took} ms; peak RSS ${mb(peakRss)} MB (+${mb(peakRss - before.rss)} MB while streaming), peak heap +${mb(peakHeap - before.heapUsed)} MB (target < 256 MB)`);
  }
  print(JSON.stringify({ bench: "reviews", database: dataDir ? "pglite" : "postgres", ...results }));
} finally {
  await handle.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
