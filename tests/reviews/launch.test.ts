/**
 * Launch freezes the population: items with reviewers and reasons, a manifest reconciled against the
 * synced totals with flags, a SHA-256 anyone can recompute from the items; the stale-data gate with its
 * admin override; reviewer policies (team managers, owners, manager, named people, fallback); nobody
 * reviews their own access; a second step goes to a different person.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { createCampaign, launchCampaign, setReviewOwner, snapshotLine } from "@/lib/reviews/campaigns";
import { submitDecisions, saveDrafts } from "@/lib/reviews/decisions";
import { listReviewOwners } from "@/lib/reviews/queries";
import { ReviewRefused } from "@/lib/reviews/guard";
import type { ItemKind, PopulationManifest, Risk } from "@/lib/reviews/types";
import { createTestDb, type TestDb } from "../support/db";
import { actorOf, campaignInput, launched, person, seedWorld } from "./support";

let t: TestDb;
let db: Db;
beforeAll(async () => {
  t = await createTestDb();
  db = t.prisma;
});
afterAll(async () => t?.close());

describe("launch", () => {
  it("freezes every in-scope grant with a manifest reconciled against the synced totals, flags and a recomputable SHA-256", async () => {
    const w = await seedWorld(db);
    const r = await launched(db, w, { scope: { kinds: ["TEAM_MEMBER", "BASE_ROLE", "CREDENTIAL"], roles: ["responder", "manager", "user", "admin"] } });
    const items = await db.reviewItem.findMany({ where: { campaignId: r.campaignId }, orderBy: { seq: "asc" } });
    // 4 matched people + 1 unmatched user, each with a base role and a team membership, plus the credential.
    expect(items.filter((i) => i.kind === "TEAM_MEMBER")).toHaveLength(5);
    expect(items.filter((i) => i.kind === "BASE_ROLE")).toHaveLength(5);
    expect(items.filter((i) => i.kind === "CREDENTIAL")).toHaveLength(1);
    const campaign = await db.reviewCampaign.findUniqueOrThrow({ where: { id: r.campaignId } });
    expect(campaign.status).toBe("ACTIVE");
    const m = campaign.manifest as unknown as PopulationManifest;
    expect(m.counts).toEqual([
      { kind: "BASE_ROLE", items: 5, syncedTotal: 5, outOfScope: 0 },
      { kind: "TEAM_MEMBER", items: 5, syncedTotal: 5, outOfScope: 0 },
      { kind: "CREDENTIAL", items: 1, syncedTotal: 1, outOfScope: 0 },
    ] satisfies { kind: ItemKind; items: number; syncedTotal: number; outOfScope: number }[]);
    expect(m.flags).toMatchObject({ pendingInvitations: 1, unmatchedIdentities: 1, drift: 1 });
    expect(m.connections[0]).toMatchObject({ id: w.connectionId, stale: false });
    expect(m.connections[0]!.syncRunId).toBeTruthy();
    const hash = createHash("sha256");
    for (const i of items) hash.update(snapshotLine({ ...i, risks: i.risks as Risk[] }));
    expect(m.sha256).toBe(hash.digest("hex"));
    expect(campaign.snapshotSha256).toBe(m.sha256);

    const ghost = items.find((i) => i.pdUserId === w.unmatchedPdId && i.kind === "TEAM_MEMBER")!;
    expect(ghost.risks).toEqual(expect.arrayContaining<Risk>(["unmatched_identity", "pending_invitation", "drift", "no_oncall_90d"]));
    const adminHolder = items.find((i) => i.kind === "BASE_ROLE" && i.role === "admin")!;
    expect(adminHolder.risks).toContain("admin_or_owner");
    const launchedEvent = await db.auditEvent.findFirst({ where: { action: "review.campaign_launched", targetId: r.campaignId } });
    expect(launchedEvent?.after).toMatchObject({ sha256: m.sha256, totalItems: 11 });
  });

  it("narrows the population by role and drift, and counts what the scope left out", async () => {
    const w = await seedWorld(db);
    const r = await launched(db, w, { scope: { kinds: ["TEAM_MEMBER"], onlyDrift: true } });
    const items = await db.reviewItem.findMany({ where: { campaignId: r.campaignId } });
    expect(items.map((i) => i.pdUserId)).toEqual([w.unmatchedPdId]);
    const m = (await db.reviewCampaign.findUniqueOrThrow({ where: { id: r.campaignId } })).manifest as unknown as PopulationManifest;
    expect(m.counts).toEqual([{ kind: "TEAM_MEMBER", items: 1, syncedTotal: 5, outOfScope: 4 }]);
  });

  it("assigns team members to the team's manager, and the manager's own membership to the fallback reviewer (no self-review)", async () => {
    const w = await seedWorld(db);
    const r = await launched(db, w);
    const items = await db.reviewItem.findMany({ where: { campaignId: r.campaignId } });
    const own = items.find((i) => i.subjectPersonId === w.manager.id)!;
    expect(own.reviewerId).toBe(w.admin.id);
    expect(own.reviewerReason).toMatch(/fallback reviewer \(self-review/);
    for (const i of items.filter((x) => x.subjectPersonId !== w.manager.id)) {
      expect(i.reviewerId).toBe(w.manager.id);
      expect(i.reviewerReason).toMatch(/step 1: team manager in PagerDuty/);
    }
  });

  it("uses named owners, the person's manager and named people, falling back when a policy finds nobody", async () => {
    const w = await seedWorld(db);
    const owner = await person(db, "Olive Owner");
    await setReviewOwner(db, actorOf(w.admin), { connectionId: w.connectionId, subjectType: "team", subjectRef: w.teamId, personId: owner.id, owner: true });
    expect((await listReviewOwners(actorOf(w.auditor), db)).filter((o) => o.connectionId === w.connectionId)).toEqual([expect.objectContaining({ subjectType: "team", subjectRef: w.teamId, subjectName: "Platform", person: { id: owner.id, name: "Olive Owner" } })]);
    const byOwner = await launched(db, w, { policy: { steps: [{ kind: "owners" }] } });
    expect(new Set((await db.reviewItem.findMany({ where: { campaignId: byOwner.campaignId } })).map((i) => i.reviewerId))).toEqual(new Set([owner.id]));

    const boss = await person(db, "Bea Boss");
    await db.personManager.create({ data: { personId: w.members[0]!.id, managerId: boss.id } });
    const byManager = await launched(db, w, { policy: { steps: [{ kind: "manager" }] } });
    const items = await db.reviewItem.findMany({ where: { campaignId: byManager.campaignId } });
    expect(items.find((i) => i.subjectPersonId === w.members[0]!.id)!.reviewerId).toBe(boss.id);
    const noManager = items.find((i) => i.subjectPersonId === w.members[1]!.id)!;
    expect(noManager.reviewerId).toBe(w.admin.id);
    expect(noManager.reviewerReason).toMatch(/fallback reviewer \(nobody found as the person's manager\)/);

    const named = await launched(db, w, { policy: { steps: [{ kind: "people", personIds: [w.members[0]!.id, w.members[1]!.id] }] } });
    const namedItems = await db.reviewItem.findMany({ where: { campaignId: named.campaignId } });
    // Member A reviews everyone but herself; her own item goes to the next named person.
    expect(namedItems.find((i) => i.subjectPersonId === w.members[0]!.id)!.reviewerId).toBe(w.members[1]!.id);
    expect(namedItems.find((i) => i.subjectPersonId === w.members[2]!.id)!.reviewerId).toBe(w.members[0]!.id);
  });

  it("never makes an auditor a reviewer: refused when named, skipped when they manage the team in PagerDuty", async () => {
    const w = await seedWorld(db);
    await expect(createCampaign(db, actorOf(w.admin), campaignInput(w, { fallbackReviewerId: w.auditor.id }))).rejects.toThrow(/Auditors review nothing/);
    await expect(createCampaign(db, actorOf(w.admin), campaignInput(w, { policy: { steps: [{ kind: "people", personIds: [w.auditor.id] }] } }))).rejects.toThrow(/Auditors review nothing/);
    await db.person.update({ where: { id: w.manager.id }, data: { roles: ["AUDITOR", "MEMBER"] } });
    const r = await launched(db, w);
    const reviewers = new Set((await db.reviewItem.findMany({ where: { campaignId: r.campaignId } })).map((i) => i.reviewerId));
    expect(reviewers).toEqual(new Set([w.admin.id]));
  });

  it("sends step 2 to a different person than the one who decided step 1", async () => {
    const w = await seedWorld(db);
    const r = await launched(db, w, { policy: { steps: [{ kind: "team_managers" }, { kind: "people", personIds: [w.manager.id, w.members[2]!.id] }] } });
    const item = (await db.reviewItem.findMany({ where: { campaignId: r.campaignId, subjectPersonId: w.members[0]!.id } }))[0]!;
    expect(item.reviewerId).toBe(w.manager.id);
    await saveDrafts(db, actorOf(w.manager), { campaignId: r.campaignId, decisions: [{ itemId: item.id, decision: "CERTIFY" }] });
    const res = await submitDecisions(db, actorOf(w.manager), { campaignId: r.campaignId, itemIds: [item.id], acknowledgeRubberStamp: false });
    expect(res).toMatchObject({ submitted: true, secondStep: 1 });
    const after = await db.reviewItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(after).toMatchObject({ step: 2, state: "PENDING", reviewerId: w.members[2]!.id });
    expect(after.reviewerReason).toMatch(/^step 2: named reviewer/);
  });
});

describe("stale-data gate", () => {
  it("refuses a launch on data older than 24 h, and launches with an admin's reason recorded in the manifest and the audit trail", async () => {
    const w = await seedWorld(db, { syncedAt: new Date(Date.now() - 30 * 3_600_000) });
    const { campaignId } = await createCampaign(db, actorOf(w.admin), campaignInput(w));
    const refused = await launchCampaign(db, actorOf(w.admin), { campaignId }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReviewRefused);
    expect((refused as ReviewRefused).message).toMatch(/^The synced data is stale \(.*last successful sync 30 h ago/);
    expect((refused as ReviewRefused).fieldErrors).toHaveProperty("overrideReason");
    expect(await db.reviewItem.count({ where: { campaignId } })).toBe(0);
    expect((await db.reviewCampaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe("DRAFT");

    await launchCampaign(db, actorOf(w.admin), { campaignId, overrideReason: "Sync outage; auditor agreed to yesterday's picture" });
    const c = await db.reviewCampaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect(c.status).toBe("ACTIVE");
    expect(c.staleOverrideReason).toBe("Sync outage; auditor agreed to yesterday's picture");
    expect((c.manifest as unknown as PopulationManifest).connections[0]).toMatchObject({ stale: true });
    const event = await db.auditEvent.findFirst({ where: { action: "review.campaign_launched", targetId: campaignId } });
    expect(event?.reason).toBe("Sync outage; auditor agreed to yesterday's picture");
  });

  it("refuses a launch when the last sync failed, and when the account never synced", async () => {
    const failed = await seedWorld(db, { lastSyncFailed: true });
    const a = await createCampaign(db, actorOf(failed.admin), campaignInput(failed));
    await expect(launchCampaign(db, actorOf(failed.admin), { campaignId: a.campaignId })).rejects.toThrow(/the last sync failed/);

    const never = await seedWorld(db);
    await db.pagerDutyConnection.update({ where: { id: never.connectionId }, data: { lastSuccessfulSyncAt: null } });
    await db.syncRun.deleteMany({ where: { connectionId: never.connectionId } });
    const b = await createCampaign(db, actorOf(never.admin), campaignInput(never));
    await expect(launchCampaign(db, actorOf(never.admin), { campaignId: b.campaignId })).rejects.toThrow(/never synced successfully/);
  });
});
