/**
 * Remediation end to end: a submitted revocation becomes a change in the write-back pipeline, a worker
 * writes it to the PagerDuty simulator over HTTP and verifies it by reading back, and the item shows
 * pending → verified with the times; the campaign completes only then. The evidence pack carries it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configurePipeline } from "@/lib/changes";
import type { Db } from "@/lib/db";
import type { Worker } from "@/lib/jobs";
import { closeCampaign, createCampaign, launchCampaign } from "@/lib/reviews/campaigns";
import { saveDrafts, submitDecisions } from "@/lib/reviews/decisions";
import { evidenceExport } from "@/lib/reviews/evidence";
import { workspacePage } from "@/lib/reviews/queries";
import type { RunningSimulator } from "@/simulator";
import { changeWorker, connectTo, FAST_PIPELINE, mirrorOrganisation, settled, stopPipelineHarness } from "../changes/support";
import { startTestSimulator } from "../simulator/support/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { actorOf, person } from "./support";

let sim: RunningSimulator;
let t: TestDb;
let db: Db;
let worker: Worker;

beforeAll(async () => {
  sim = await startTestSimulator({ rateLimitPerMinute: 0, size: { users: 30, teams: 4, schedules: 3, escalationPolicies: 3 } });
  t = await createTestDb();
  db = t.prisma;
  configurePipeline(FAST_PIPELINE);
  worker = changeWorker(db);
});
afterAll(() => stopPipelineHarness({ worker, t, sim }));

describe("remediation", () => {
  it("a revocation reaches PagerDuty, is verified by reading back, and the item shows verified; then the campaign completes", async () => {
    const conn = await connectTo(db, sim);
    const now = new Date();
    await mirrorOrganisation(db, conn.id, sim.state, now);
    const s = sim.state;
    // A team and its members (not on call, no open incidents), with team-membership grants as the sync derives them.
    const team = s.teamsOrdered().find((tm) => s.usersOrdered().filter((u) => s.membership(tm.id, u.id)).length >= 2)!;
    const members = s.usersOrdered().filter((u) => s.membership(team.id, u.id));
    for (const u of members) {
      const role = s.membership(team.id, u.id)!.role;
      await db.grant.create({ data: { id: randomUUID(), connectionId: conn.id, pdUserId: u.id, entitlement: "TEAM_MEMBER", entitlementKey: `team:${team.id}:${role}`, role, teamPdId: team.id, origin: "BASELINE", activeKey: `${conn.id}|${u.id}|team:${team.id}:${role}`, firstSeenAt: now, lastSeenAt: now } });
    }
    await db.syncRun.create({ data: { id: randomUUID(), connectionId: conn.id, kind: "FULL", trigger: "MANUAL", status: "SUCCEEDED", phase: "done", startedAt: now, progressAt: now, finishedAt: now } });
    await db.pagerDutyConnection.update({ where: { id: conn.id }, data: { lastSuccessfulSyncAt: now, lastSyncAt: now } });
    const victim = members.find((u) => u.role !== "owner" && s.openIncidentsOf(u.id) === 0 && s.policiesTargetingUser(u.id).length === 0) ?? members[0]!;

    const admin = await person(db, "Ada Admin", ["ADMIN"]);
    const reviewer = await person(db, "Rita Reviewer");
    const auditor = await person(db, "Otto Auditor", ["AUDITOR"]);
    const { campaignId } = await createCampaign(db, actorOf(admin), {
      name: "Team review",
      description: "",
      connectionIds: [conn.id],
      scope: { kinds: ["TEAM_MEMBER"], teamPdIds: [team.id] },
      policy: { steps: [{ kind: "people", personIds: [reviewer.id] }] },
      fallbackReviewerId: admin.id,
      justifyHighRisk: false,
      dueAt: new Date(Date.now() + 7 * 86_400_000),
      recurrenceMonths: null,
    });
    await launchCampaign(db, actorOf(admin), { campaignId });
    const page = await workspacePage(actorOf(reviewer), { campaignId, view: "mine" }, db);
    expect(page.total).toBe(members.length);
    const target = page.items.find((i) => i.pdUserId === victim.id)!;
    await saveDrafts(db, actorOf(reviewer), {
      campaignId,
      decisions: page.items.map((i) => (i.id === target.id ? { itemId: i.id, decision: "REVOKE" as const, justification: "No longer on this team" } : { itemId: i.id, decision: "CERTIFY" as const })),
    });
    // All drafts saved in one call: a large team trips the rubber-stamp prompt, which the reviewer confirms.
    const submitted = await submitDecisions(db, actorOf(reviewer), { campaignId, acknowledgeRubberStamp: true });
    expect(submitted).toMatchObject({ submitted: true, revoked: 1, remediations: 1 });
    const pending = await db.reviewItem.findUniqueOrThrow({ where: { id: target.id } });
    expect(pending.remediation).toBe("PENDING");
    await expect(closeCampaign(db, actorOf(admin), { campaignId })).rejects.toThrow(/remediation\(s\) are not verified/);

    const [change] = await settled(db, [pending.changeId!]);
    expect(change!.status).toBe("VERIFIED");
    expect(s.membership(team.id, victim.id)).toBeFalsy();

    const after = await workspacePage(actorOf(reviewer), { campaignId, view: "mine", search: victim.email }, db);
    const shown = after.items.find((i) => i.id === target.id)!;
    expect(shown.remediation).toBe("VERIFIED");
    expect(shown.verifiedAt).toBe(change!.verifiedAt!.toISOString());

    await closeCampaign(db, actorOf(admin), { campaignId });
    expect((await db.reviewCampaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe("CLOSED");

    const pack = await evidenceExport(actorOf(auditor), campaignId, "json", db);
    const json = JSON.parse(await new Response(pack.body).text()) as { items: { itemId: string; decision: string; verifiedAt: string; appliedAt: string }[] };
    const item = json.items.find((i) => i.itemId === target.id)!;
    expect(item).toMatchObject({ decision: "REVOKE", verifiedAt: change!.verifiedAt!.toISOString(), appliedAt: change!.appliedAt!.toISOString() });
  });
});
