/**
 * Deciding, through the server actions with real sessions: the refusals (not the reviewer, one's own item,
 * an auditor, a closed campaign — each changing nothing), drafts and batch submission with justification
 * rules, bulk decisions, the rubber-stamp prompt, delegation (time-bound, audited), reassignment with a
 * reason, close blocked while undecided, force-close with exceptions, and evidence locked after close.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock, request } from "../auth/support/request";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import { closeCampaign, forceCloseCampaign, reassignItems } from "@/app/(portal)/admin/campaigns/actions";
import { bulkDecide, delegateReviews, reassignMyItems, saveDrafts, submitDecisions } from "@/app/(portal)/reviews/actions";
import type { Db } from "@/lib/db";
import { configureReviews } from "@/lib/reviews/options";
import { listMyReviews, workspacePage } from "@/lib/reviews/queries";
import { worldFingerprint } from "../auth/support/actions";
import { signInAs } from "../auth/support/fixtures";
import { createTestDb, type TestDb } from "../support/db";
import { actorOf, launched, seedWorld, type World } from "./support";

let t: TestDb;
let db: Db;
beforeAll(async () => {
  t = await createTestDb();
  db = t.prisma;
});
afterAll(async () => {
  configureReviews();
  await t?.close();
});
beforeEach(() => {
  request.reset();
  configureReviews();
});

async function as(p: { id: string }) {
  request.reset();
  await signInAs(db, p.id);
}
const itemsOf = (campaignId: string, subjectPersonId: string) => db.reviewItem.findMany({ where: { campaignId, subjectPersonId }, orderBy: { seq: "asc" } });
async function setup(extra: Parameters<typeof launched>[2] = {}) {
  const w = await seedWorld(db);
  const c = await launched(db, w, extra);
  return { w, c };
}
async function refusedWithoutChange(call: () => Promise<unknown>, message: RegExp) {
  const before = await worldFingerprint(db);
  const result = (await call()) as { ok: boolean; error?: string };
  expect(result.ok).toBe(false);
  expect(result.error).toMatch(message);
  expect(await worldFingerprint(db)).toBe(before);
}

describe("refusals (server side, nothing changes)", () => {
  let w: World;
  let campaignId: string;
  let memberItem: string;
  let managerOwnItem: string;
  beforeAll(async () => {
    ({ w, c: { campaignId } } = await setup());
    memberItem = (await itemsOf(campaignId, w.members[0]!.id))[0]!.id;
    managerOwnItem = (await itemsOf(campaignId, w.manager.id))[0]!.id;
  });

  it("a person who is not the item's reviewer cannot decide it", async () => {
    await as(w.members[1]!);
    await refusedWithoutChange(() => saveDrafts({ campaignId, decisions: [{ itemId: memberItem, decision: "CERTIFY" }] }), /not the reviewer of this item/);
    await refusedWithoutChange(() => bulkDecide({ campaignId, itemIds: [memberItem], decision: "REVOKE", justification: "left the team" }), /not the reviewer of this item/);
    await refusedWithoutChange(() => submitDecisions({ campaignId, itemIds: [memberItem] }), /not the reviewer of this item/);
  });

  it("an admin is no reviewer either unless assigned", async () => {
    await as(w.admin);
    await refusedWithoutChange(() => saveDrafts({ campaignId, decisions: [{ itemId: memberItem, decision: "CERTIFY" }] }), /not the reviewer of this item/);
  });

  it("a reviewer cannot decide their own item, even when it was assigned to them", async () => {
    await db.reviewItem.update({ where: { id: managerOwnItem }, data: { reviewerId: w.manager.id } });
    await as(w.manager);
    await refusedWithoutChange(() => saveDrafts({ campaignId, decisions: [{ itemId: managerOwnItem, decision: "CERTIFY" }] }), /cannot review your own access/);
    await db.reviewItem.update({ where: { id: managerOwnItem }, data: { reviewerId: w.admin.id } });
  });

  it("an auditor cannot decide, even an item assigned to them (though, like everyone, they are a member too)", async () => {
    const item = (await itemsOf(campaignId, w.members[1]!.id))[0]!;
    await db.reviewItem.update({ where: { id: item.id }, data: { reviewerId: w.auditor.id } });
    expect(w.auditor.roles).toEqual(expect.arrayContaining(["AUDITOR", "MEMBER"]));
    await as(w.auditor);
    await refusedWithoutChange(() => saveDrafts({ campaignId, decisions: [{ itemId: item.id, decision: "CERTIFY" }] }), /permission/);
    await refusedWithoutChange(() => submitDecisions({ campaignId }), /permission/);
    await db.reviewItem.update({ where: { id: item.id }, data: { reviewerId: w.manager.id } });
  });

  it("nothing changes on a closed campaign", async () => {
    const { w: w2, c } = await setup();
    const item = (await itemsOf(c.campaignId, w2.members[0]!.id))[0]!;
    await as(w2.manager);
    expect(await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: item.id, decision: "CERTIFY" }] })).toMatchObject({ ok: true });
    await as(w2.admin);
    expect(await forceCloseCampaign({ campaignId: c.campaignId, reason: "Quarter ended" })).toMatchObject({ ok: true });
    await as(w2.manager);
    await refusedWithoutChange(() => saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: item.id, decision: "REVOKE", justification: "late" }] }), /is closed/);
    await refusedWithoutChange(() => submitDecisions({ campaignId: c.campaignId }), /is closed/);
    await as(w2.admin);
    await refusedWithoutChange(() => reassignItems({ campaignId: c.campaignId, itemIds: [item.id], toPersonId: w2.members[2]!.id, reason: "coverage" }), /is closed/);
    await refusedWithoutChange(() => closeCampaign({ campaignId: c.campaignId }), /already closed/);
    // Even the database refuses: the evidence is immutable after close.
    await expect(db.reviewItem.update({ where: { id: item.id }, data: { justification: "rewritten" } })).rejects.toThrow(/closed: its evidence is immutable/);
    await expect(db.reviewDecision.deleteMany({ where: { campaignId: c.campaignId } })).resolves.toMatchObject({ count: 0 });
    await expect(db.reviewCampaign.update({ where: { id: c.campaignId }, data: { name: "renamed" } })).rejects.toThrow(/immutable/);
  });
});

describe("deciding", () => {
  it("keeps drafts, requires a justification to revoke, submits a batch and records each decision with its reviewer and reason", async () => {
    const { w, c } = await setup();
    await as(w.manager);
    const a = (await itemsOf(c.campaignId, w.members[0]!.id))[0]!;
    const b = (await itemsOf(c.campaignId, w.members[1]!.id))[0]!;
    expect(await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: a.id, decision: "CERTIFY" }, { itemId: b.id, decision: "REVOKE" }] })).toMatchObject({ ok: true, data: { saved: 2 } });
    const page = await workspacePage(actorOf(w.manager), { campaignId: c.campaignId, view: "mine", state: "draft" }, db);
    expect(page.items.map((i) => i.id).sort()).toEqual([a.id, b.id].sort());

    const missing = (await submitDecisions({ campaignId: c.campaignId })) as { ok: false; error: string; fieldErrors: Record<string, string[]> };
    expect(missing.ok).toBe(false);
    expect(missing.error).toMatch(/justification is required to revoke/);
    expect(Object.keys(missing.fieldErrors)).toEqual([`decisions.${b.id}`]);
    expect((await db.reviewItem.findUniqueOrThrow({ where: { id: a.id } })).state).toBe("PENDING");

    await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: b.id, decision: "REVOKE", justification: "Moved to another team in May" }] });
    const ok = await submitDecisions({ campaignId: c.campaignId });
    expect(ok).toMatchObject({ ok: true, data: { submitted: true, count: 2, certified: 1, revoked: 1 } });
    const [da, db_] = await Promise.all([db.reviewItem.findUniqueOrThrow({ where: { id: a.id } }), db.reviewItem.findUniqueOrThrow({ where: { id: b.id } })]);
    expect(da).toMatchObject({ state: "DECIDED", decision: "CERTIFY", decidedById: w.manager.id, remediation: "NONE" });
    // The connection points nowhere writable in this world, yet the change is created (the pipeline runs it later).
    expect(db_).toMatchObject({ state: "DECIDED", decision: "REVOKE", justification: "Moved to another team in May", remediation: "PENDING" });
    const change = await db.changeRequest.findUniqueOrThrow({ where: { id: db_.changeId! } });
    expect(change).toMatchObject({ kind: "TEAM_MEMBER_REMOVE", causeKind: "REVIEW_DECISION", userPdId: w.pdOf.get(w.members[1]!.id), teamPdId: w.teamId });
    const decisions = await db.reviewDecision.findMany({ where: { campaignId: c.campaignId } });
    expect(decisions).toHaveLength(2);
    expect(decisions.every((d) => d.reviewerId === w.manager.id && /team manager in PagerDuty/.test(d.reviewerReason))).toBe(true);
    expect(await db.auditEvent.count({ where: { action: "review.decisions_submitted", targetId: c.campaignId } })).toBe(1);
  });

  it("modifies a role to one the entitlement allows, and refuses others", async () => {
    const { w, c } = await setup({ scope: { kinds: ["TEAM_MEMBER"] } });
    await as(w.manager);
    const a = (await itemsOf(c.campaignId, w.members[0]!.id))[0]!;
    const bad = (await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: a.id, decision: "MODIFY", role: "admin", justification: "x" }] })) as { ok: false; error: string };
    expect(bad.error).toMatch(/not a role this access can be changed to/);
    await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: a.id, decision: "MODIFY", role: "observer", justification: "Only watches incidents" }] });
    expect(await submitDecisions({ campaignId: c.campaignId })).toMatchObject({ ok: true, data: { modified: 1 } });
    const item = await db.reviewItem.findUniqueOrThrow({ where: { id: a.id } });
    const change = await db.changeRequest.findUniqueOrThrow({ where: { id: item.changeId! } });
    expect(change.kind).toBe("TEAM_MEMBER_PUT");
    expect(change.desired).toMatchObject({ role: "observer" });
  });

  it("requires a justification to certify high-risk items when the campaign says so", async () => {
    const { w, c } = await setup({ scope: { kinds: ["BASE_ROLE"] }, justifyHighRisk: true });
    await as(w.manager);
    const adminItem = (await db.reviewItem.findMany({ where: { campaignId: c.campaignId, role: "admin" } }))[0]!;
    expect(adminItem.reviewerId).toBe(w.manager.id);
    await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: adminItem.id, decision: "CERTIFY" }] });
    expect(await submitDecisions({ campaignId: c.campaignId })).toMatchObject({ ok: false, error: expect.stringMatching(/requires a justification to certify high-risk access/) });
  });

  it("bulk-decides many items at once, and asks for a second look at a rubber stamp before flagging it", async () => {
    const w = await seedWorld(db, { members: 12 });
    const c = await launched(db, w);
    await as(w.manager);
    const mine = await workspacePage(actorOf(w.manager), { campaignId: c.campaignId, view: "mine" }, db);
    expect(mine.total).toBe(13); // 12 members + the unmatched user
    expect(await bulkDecide({ campaignId: c.campaignId, itemIds: mine.items.map((i) => i.id), decision: "CERTIFY" })).toMatchObject({ ok: true, data: { saved: 13 } });

    const before = await worldFingerprint(db);
    const prompt = await submitDecisions({ campaignId: c.campaignId });
    expect(prompt).toMatchObject({ ok: true, data: { submitted: false, rubberStampPrompt: { count: 13, reason: expect.stringMatching(/13 certifications were made within 0 seconds/) } } });
    expect(await worldFingerprint(db)).toBe(before);

    expect(await submitDecisions({ campaignId: c.campaignId, acknowledgeRubberStamp: true })).toMatchObject({ ok: true, data: { submitted: true, count: 13, rubberStamp: true } });
    const sub = await db.reviewSubmission.findFirstOrThrow({ where: { campaignId: c.campaignId } });
    expect(sub).toMatchObject({ rubberStamp: true, acknowledged: true });
    expect(await db.reviewItem.count({ where: { campaignId: c.campaignId, rubberStamp: true } })).toBe(13);
  });

  it("certifying at a human pace is no rubber stamp", async () => {
    let clock = Date.now();
    configureReviews({ now: () => clock });
    const w = await seedWorld(db, { members: 12 });
    const c = await launched(db, w);
    await as(w.manager);
    const mine = await workspacePage(actorOf(w.manager), { campaignId: c.campaignId, view: "mine" }, db);
    for (const i of mine.items) {
      clock += 30_000;
      await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: i.id, decision: i.subjectPersonId === w.members[3]!.id ? "REVOKE" : "CERTIFY", justification: "Reviewed" }] });
    }
    expect(await submitDecisions({ campaignId: c.campaignId })).toMatchObject({ ok: true, data: { submitted: true, rubberStamp: false } });
  });
});

describe("delegation and reassignment", () => {
  it("a delegate decides the delegator's items within the window only, and the delegation is audited", async () => {
    let clock = Date.now();
    configureReviews({ now: () => clock });
    const { w, c } = await setup();
    const item = (await itemsOf(c.campaignId, w.members[0]!.id))[0]!;
    await as(w.manager);
    const start = new Date(clock + 3_600_000);
    const res = await delegateReviews({ toPersonId: w.members[2]!.id, startsAt: start.toISOString(), endsAt: new Date(clock + 5 * 86_400_000).toISOString(), reason: "Parental leave" });
    expect(res).toMatchObject({ ok: true });
    expect(await db.auditEvent.findFirst({ where: { action: "review.delegated", targetId: w.manager.id } })).toMatchObject({ reason: "Parental leave" });

    await as(w.members[2]!);
    await refusedWithoutChange(() => saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: item.id, decision: "CERTIFY" }] }), /not the reviewer/);
    clock += 2 * 3_600_000; // the window opens
    expect((await listMyReviews(actorOf(w.members[2]!), db))[0]).toMatchObject({ campaignId: c.campaignId, delegatedFrom: [w.manager.name] });
    // The delegate's own item stays out of their hands.
    const own = (await itemsOf(c.campaignId, w.members[2]!.id))[0]!;
    await refusedWithoutChange(() => saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: own.id, decision: "CERTIFY" }] }), /own access/);
    expect(await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: item.id, decision: "CERTIFY" }] })).toMatchObject({ ok: true });
    expect(await submitDecisions({ campaignId: c.campaignId })).toMatchObject({ ok: true, data: { submitted: true, count: 1 } });
    const d = await db.reviewDecision.findFirstOrThrow({ where: { itemId: item.id } });
    expect(d.reviewerId).toBe(w.members[2]!.id);
    expect(d.reviewerReason).toMatch(/as delegate of Maya Manager/);

    clock += 6 * 86_400_000; // the window closed
    const other = (await itemsOf(c.campaignId, w.members[1]!.id))[0]!;
    await refusedWithoutChange(() => saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: other.id, decision: "CERTIFY" }] }), /not the reviewer/);
  });

  it("a reviewer reassigns their items with a reason (never to the person whose access it is); the item records why", async () => {
    const { w, c } = await setup();
    const item = (await itemsOf(c.campaignId, w.members[0]!.id))[0]!;
    await as(w.manager);
    await refusedWithoutChange(() => reassignMyItems({ campaignId: c.campaignId, itemIds: [item.id], toPersonId: w.members[0]!.id, reason: "She knows best" }), /cannot review their own access/);
    expect(await reassignMyItems({ campaignId: c.campaignId, itemIds: [item.id], toPersonId: w.members[1]!.id, reason: "Knows the on-call rota" })).toMatchObject({ ok: true, data: { count: 1 } });
    const after = await db.reviewItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(after).toMatchObject({ reviewerId: w.members[1]!.id, assignedReviewerId: w.manager.id });
    expect(after.reviewerReason).toBe("Reassigned by Maya Manager: Knows the on-call rota");
    expect(await db.auditEvent.findFirst({ where: { action: "review.reassigned", targetId: c.campaignId } })).toMatchObject({ reason: "Knows the on-call rota" });
    // Not theirs any more.
    await refusedWithoutChange(() => reassignMyItems({ campaignId: c.campaignId, itemIds: [item.id], toPersonId: w.members[2]!.id, reason: "Back to me" }), /only reassign items you review/);
  });
});

describe("closing", () => {
  it("refuses to complete while items are undecided; force-close turns them into exceptions", async () => {
    const { w, c } = await setup();
    await as(w.admin);
    await refusedWithoutChange(() => closeCampaign({ campaignId: c.campaignId }), /cannot be completed: 5 item\(s\) are undecided/);
    expect(await forceCloseCampaign({ campaignId: c.campaignId, reason: "Audit deadline" })).toMatchObject({ ok: true, data: { exceptions: 5 } });
    const items = await db.reviewItem.findMany({ where: { campaignId: c.campaignId } });
    expect(items.every((i) => i.state === "EXCEPTION" && i.exceptionReason === "Undecided at force-close: Audit deadline")).toBe(true);
    expect(await db.reviewCampaign.findUniqueOrThrow({ where: { id: c.campaignId } })).toMatchObject({ status: "CLOSED", forceClosed: true, closeReason: "Audit deadline" });
  });

  it("refuses to complete while remediation is unverified", async () => {
    const { w, c } = await setup({ scope: { kinds: ["TEAM_MEMBER"] } });
    await as(w.manager);
    const mine = await workspacePage(actorOf(w.manager), { campaignId: c.campaignId, view: "mine" }, db);
    const revoke = mine.items[0]!;
    await saveDrafts({ campaignId: c.campaignId, decisions: mine.items.map((i) => ({ itemId: i.id, decision: i.id === revoke.id ? ("REVOKE" as const) : ("CERTIFY" as const), justification: "checked" })) });
    await submitDecisions({ campaignId: c.campaignId });
    const own = (await itemsOf(c.campaignId, w.manager.id))[0]!;
    await as(w.admin);
    await saveDrafts({ campaignId: c.campaignId, decisions: [{ itemId: own.id, decision: "CERTIFY" }] });
    await submitDecisions({ campaignId: c.campaignId });
    const refused = (await closeCampaign({ campaignId: c.campaignId })) as { ok: false; error: string };
    expect(refused.error).toMatch(/1 remediation\(s\) are not verified/);
    expect(await forceCloseCampaign({ campaignId: c.campaignId, reason: "Remediation tracked in ticket SEC-42" })).toMatchObject({ ok: true, data: { exceptions: 1 } });
    expect((await db.reviewItem.findUniqueOrThrow({ where: { id: revoke.id } })).exceptionReason).toBe("Remediation pending at close");
  });
});
