/**
 * The reads behind the review pages: the workspace's server-side search, filters, sort and paging; item
 * context; progress per reviewer and team; who may read what (members only what they review).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthorizationError } from "@/lib/auth/errors";
import type { Db } from "@/lib/db";
import { saveDrafts, submitDecisions } from "@/lib/reviews/decisions";
import { campaignProgress, getCampaign, itemContext, listCampaigns, listMyReviews, reviewCandidates, workspacePage } from "@/lib/reviews/queries";
import { createTestDb, type TestDb } from "../support/db";
import { actorOf, launched, seedWorld, type World } from "./support";

let t: TestDb;
let db: Db;
let w: World;
let campaignId: string;
beforeAll(async () => {
  t = await createTestDb();
  db = t.prisma;
  w = await seedWorld(db, { members: 6 });
  ({ campaignId } = await launched(db, w, { scope: { kinds: ["TEAM_MEMBER", "BASE_ROLE"] } }));
  const now = new Date();
  await db.pdOncallShift.create({ data: { connectionId: w.connectionId, shiftKey: "k1", userPdId: w.pdOf.get(w.members[0]!.id)!, escalationPolicyPdId: "PEP1", escalationLevel: 1, start: new Date(now.getTime() + 3_600_000), end: new Date(now.getTime() + 7_200_000), firstSeenAt: now, lastSeenAt: now } });
});
afterAll(async () => t?.close());

describe("workspace", () => {
  it("pages, sorts, searches and filters on the server, with counts and facets over the whole view", async () => {
    const me = actorOf(w.manager);
    const all = await workspacePage(me, { campaignId, view: "mine", limit: 5 }, db);
    // 6 members + the unmatched user, each with a team membership and a base role.
    expect(all.total).toBe(14);
    expect(all.items).toHaveLength(5);
    expect(all.counts).toEqual({ undecided: 14, draft: 0, decided: 0, exception: 0 });
    expect(all.facets.teams).toEqual([{ id: w.teamId, name: "Platform" }]);
    expect(all.facets.roles).toEqual(["admin", "responder", "user"]);
    const page2 = await workspacePage(me, { campaignId, view: "mine", limit: 5, offset: 5 }, db);
    expect(page2.items.map((i) => i.id)).not.toContain(all.items[0]!.id);
    const names = (await workspacePage(me, { campaignId, view: "mine", sort: "subject", dir: "desc", limit: 100 }, db)).items.map((i) => i.subjectName);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));

    const search = await workspacePage(me, { campaignId, view: "mine", search: "member b" }, db);
    expect(search.items.every((i) => i.subjectName === "Member B")).toBe(true);
    expect(search.total).toBe(2);
    const risky = await workspacePage(me, { campaignId, view: "mine", risk: "unmatched_identity" }, db);
    expect(risky.items.map((i) => i.pdUserId)).toEqual([w.unmatchedPdId, w.unmatchedPdId]);
    const byRole = await workspacePage(me, { campaignId, view: "mine", role: "admin", kind: "BASE_ROLE" }, db);
    expect(byRole.total).toBe(1);
    expect(byRole.items[0]!.modifyRoles).toContain("user");
    expect(byRole.items[0]!.modifyRoles).not.toContain("owner");

    const target = search.items[0]!;
    await saveDrafts(db, me, { campaignId, decisions: [{ itemId: target.id, decision: "CERTIFY" }] });
    const drafts = await workspacePage(me, { campaignId, view: "mine", state: "draft" }, db);
    expect(drafts.items.map((i) => i.id)).toEqual([target.id]);
    expect(drafts.items[0]!.draft).toEqual({ decision: "CERTIFY", role: null, justification: null });
    expect(drafts.counts).toMatchObject({ undecided: 13, draft: 1 });
  });

  it("members see only the items they review; the whole campaign is for admins and auditors", async () => {
    await expect(workspacePage(actorOf(w.members[0]!), { campaignId, view: "all" }, db)).rejects.toBeInstanceOf(AuthorizationError);
    expect((await workspacePage(actorOf(w.members[0]!), { campaignId, view: "mine" }, db)).total).toBe(0);
    expect((await workspacePage(actorOf(w.auditor), { campaignId, view: "all" }, db)).total).toBe(16);
    await expect(listCampaigns(actorOf(w.members[0]!), db)).rejects.toBeInstanceOf(AuthorizationError);
    expect((await listCampaigns(actorOf(w.auditor), db)).map((c) => c.id)).toContain(campaignId);
    expect(await getCampaign(actorOf(w.members[0]!), campaignId, db)).toBeNull();
    const asAuditor = await getCampaign(actorOf(w.auditor), campaignId, db);
    expect(asAuditor?.can).toEqual({ manage: false, decide: false, exportEvidence: true });
    const item = (await workspacePage(actorOf(w.manager), { campaignId, view: "mine" }, db)).items[0]!;
    expect(await itemContext(actorOf(w.members[3]!), item.id, db)).toBeNull();
    expect((await reviewCandidates(actorOf(w.admin), db)).map((p) => p.id)).not.toContain(w.auditor.id);
    await expect(reviewCandidates(actorOf(w.manager), db)).rejects.toBeInstanceOf(AuthorizationError); // the whole directory is for admins
  });
});

describe("item context and progress", () => {
  it("shows the person, their role and teams, the next on-call shift, drift, and the decision history", async () => {
    const me = actorOf(w.manager);
    const items = await workspacePage(me, { campaignId, view: "mine", search: "Member A", kind: "TEAM_MEMBER" }, db);
    const ctx = (await itemContext(me, items.items[0]!.id, db))!;
    expect(ctx.person).toMatchObject({ name: "Member A", baseRole: "admin", teams: [{ id: w.teamId, name: "Platform", role: "responder" }], matchedPerson: { id: w.members[0]!.id, name: "Member A" } });
    expect(ctx.oncall.next?.start).toBeTruthy();
    expect(ctx.oncall.last).toBeNull();
    expect(ctx.item.decidable).toBe(true);
    const ghost = (await workspacePage(me, { campaignId, view: "mine", search: "Ghost", kind: "TEAM_MEMBER" }, db)).items[0]!;
    expect((await itemContext(me, ghost.id, db))!.drift).toMatchObject({ origin: "DRIFT" });
  });

  it("splits progress by reviewer and team, with decisions and remediation", async () => {
    const me = actorOf(w.manager);
    const mine = await workspacePage(me, { campaignId, view: "mine", kind: "TEAM_MEMBER" }, db);
    const revoke = mine.items.find((i) => i.subjectName === "Member C")!;
    await saveDrafts(db, me, { campaignId, decisions: mine.items.map((i) => ({ itemId: i.id, decision: i.id === revoke.id ? ("REVOKE" as const) : ("CERTIFY" as const), justification: "checked" })) });
    await submitDecisions(db, me, { campaignId, acknowledgeRubberStamp: false });
    const p = (await campaignProgress(actorOf(w.admin), campaignId, db))!;
    // The 7 team memberships just submitted, and Member B's base role certified in the test above.
    expect(p).toMatchObject({ total: 16, decided: 8, remaining: 8, certified: 7, revoked: 1, remediation: { pending: 1 } });
    const manager = p.byReviewer.find((r) => r.reviewerId === w.manager.id)!;
    expect(manager).toMatchObject({ total: 14, decided: 8 });
    expect(p.byTeam.find((x) => x.teamPdId === w.teamId)).toMatchObject({ teamName: "Platform", total: 8, revoked: 1 });
    const mineNow = await listMyReviews(me, db);
    expect(mineNow).toEqual([expect.objectContaining({ campaignId, assigned: 14, decided: 8, remaining: 6, drafts: 0 })]);
  });
});
