/**
 * Separation of duties around identity links: changing which person a PagerDuty user is while that user
 * has items in an open campaign flags the campaign (admins and auditors see it; the evidence carries it;
 * audited), and those items never route to the person who made the change: not by assignment (step 2),
 * reassignment, delegation or escalation, and items they reviewed at that moment move away from them.
 */
import { describe, expect, it } from "vitest";
import { AuthorizationError } from "@/lib/auth/errors";
import { setAlias } from "@/lib/pagerduty-data/aliases";
import { delegateReviews, reassignItems } from "@/lib/reviews/assign";
import { saveDrafts, submitDecisions } from "@/lib/reviews/decisions";
import { evidenceExport } from "@/lib/reviews/evidence";
import { configureReviews } from "@/lib/reviews/options";
import { campaignLinkChangeFlags } from "@/lib/reviews/queries";
import { reviewTick } from "@/lib/reviews/schedule";
import { databasePerFile } from "../support/db";
import { actorOf, launched, person, seedWorld } from "./support";

const file = databasePerFile(() => configureReviews());
const DAY = 86_400_000;
const ctx = { requestId: null, clientIp: null };

describe("a link changed during an open campaign", () => {
  it("is flagged on the campaign and in its evidence, and the changer never receives that user's items", async () => {
    const { db } = file;
    let clock = Date.parse("2026-03-02T09:00:00Z");
    configureReviews({ now: () => clock, smtpUrl: null });
    const w = await seedWorld(db, { now: new Date(clock) });
    const eve = await person(db, "Eve Admin", ["ADMIN"]);
    const [a, b] = [w.members[0]!, w.members[1]!];
    // Campaign 1: Eve is the fallback reviewer; campaign 2: two steps, step 2 by Eve (fallback Ada).
    const one = await launched(db, w, { fallbackReviewerId: eve.id, dueAt: new Date(clock + 5 * DAY) });
    const two = await launched(db, w, { name: "Two-step review", policy: { steps: [{ kind: "team_managers" }, { kind: "people", personIds: [eve.id] }] }, dueAt: new Date(clock + 5 * DAY) });
    const itemOf = async (campaignId: string, personId: string) => (await db.reviewItem.findFirstOrThrow({ where: { campaignId, subjectPersonId: personId } }));
    const aItem = await itemOf(one.campaignId, a.id);
    const bItem = await itemOf(one.campaignId, b.id);
    await reassignItems(db, actorOf(w.admin), { campaignId: one.campaignId, itemIds: [aItem.id], toPersonId: eve.id, reason: "Covering for Maya" }, true);

    // Maya delegated her reviews to Eve earlier (this week).
    await delegateReviews(db, actorOf(w.manager), { toPersonId: eve.id, startsAt: new Date(clock), endsAt: new Date(clock + 10 * DAY), reason: "Conference" });

    // Eve makes A's PagerDuty user Member B's alias.
    clock += DAY;
    expect(await setAlias(db, actorOf(eve), { connectionId: w.connectionId, personId: b.id, pdUserId: w.pdOf.get(a.id)! }, ctx)).toBe("set");

    const flags = await campaignLinkChangeFlags(actorOf(w.admin), one.campaignId, db);
    expect(flags).toEqual([expect.objectContaining({ pdUserId: w.pdOf.get(a.id), subjectName: a.name, from: { id: a.id, name: a.name }, to: { id: b.id, name: b.name }, changedBy: { id: eve.id, name: eve.name }, itemCount: 1 })]);
    expect(await campaignLinkChangeFlags(actorOf(w.auditor), two.campaignId, db)).toHaveLength(1);
    await expect(campaignLinkChangeFlags(actorOf(w.manager), one.campaignId, db)).rejects.toBeInstanceOf(AuthorizationError);
    expect(await db.auditEvent.count({ where: { action: "review.link_change_flagged", actorId: eve.id } })).toBe(2);

    // The item Eve reviewed left her: the fallback is Eve herself, so it waits for an admin.
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: aItem.id } })).toMatchObject({ reviewerId: null, reviewerReason: expect.stringMatching(/No eligible reviewer: they changed this PagerDuty user's link/) });

    // Reassignment to Eve is refused for that item only.
    await expect(reassignItems(db, actorOf(w.admin), { campaignId: one.campaignId, itemIds: [aItem.id], toPersonId: eve.id, reason: "Back to Eve" }, true)).rejects.toThrow(/Eve Admin changed the PagerDuty link of Member A during this campaign/);
    await reassignItems(db, actorOf(w.admin), { campaignId: one.campaignId, itemIds: [aItem.id], toPersonId: w.manager.id, reason: "To the team manager" }, true);

    // A new delegation to Eve by the reviewer of that item is refused.
    const window = { startsAt: new Date(clock), endsAt: new Date(clock + 3 * DAY), reason: "On leave" };
    await expect(delegateReviews(db, actorOf(w.manager), { toPersonId: eve.id, ...window })).rejects.toThrow(/separation of duties keeps Member A's items away from them/);
    expect(await db.reviewDelegation.count({ where: { toPersonId: eve.id } })).toBe(1);
    // The earlier delegation does not let her decide it: neither one by one nor by submitting Maya's drafts.
    await expect(saveDrafts(db, actorOf(eve), { campaignId: one.campaignId, decisions: [{ itemId: aItem.id, decision: "CERTIFY" }] })).rejects.toThrow(/You changed the PagerDuty link of Member A/);
    await saveDrafts(db, actorOf(w.manager), { campaignId: one.campaignId, decisions: [{ itemId: aItem.id, decision: "CERTIFY" }] });
    await expect(submitDecisions(db, actorOf(eve), { campaignId: one.campaignId, acknowledgeRubberStamp: false })).rejects.toThrow(/You changed the PagerDuty link of Member A during this campaign.*Nothing was submitted/);
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: aItem.id } })).toMatchObject({ state: "PENDING", draftDecision: "CERTIFY" });

    // Even holding the item by other means, Eve may not decide it.
    await db.reviewItem.update({ where: { id: aItem.id }, data: { reviewerId: eve.id } });
    await expect(saveDrafts(db, actorOf(eve), { campaignId: one.campaignId, decisions: [{ itemId: aItem.id, decision: "CERTIFY" }] })).rejects.toThrow(/You changed the PagerDuty link of Member A during this campaign/);
    await db.reviewItem.update({ where: { id: aItem.id }, data: { reviewerId: w.manager.id } });

    // Step 2 of the two-step campaign: A's item goes to the fallback (Ada), not to Eve.
    const twoA = await itemOf(two.campaignId, a.id);
    const twoB = await itemOf(two.campaignId, w.members[2]!.id);
    await saveDrafts(db, actorOf(w.manager), { campaignId: two.campaignId, decisions: [{ itemId: twoA.id, decision: "CERTIFY" }, { itemId: twoB.id, decision: "CERTIFY" }] });
    await submitDecisions(db, actorOf(w.manager), { campaignId: two.campaignId, itemIds: [twoA.id, twoB.id], acknowledgeRubberStamp: false });
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: twoA.id } })).toMatchObject({ step: 2, reviewerId: w.admin.id });
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: twoB.id } })).toMatchObject({ step: 2, reviewerId: eve.id });

    // Escalation to the fallback (Eve) moves every undecided item of campaign 1 but A's.
    clock += 7 * DAY;
    await reviewTick(db);
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: aItem.id } })).toMatchObject({ reviewerId: w.manager.id });
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: bItem.id } })).toMatchObject({ reviewerId: eve.id });

    // The evidence carries the flag.
    const pack = await evidenceExport(actorOf(w.auditor), one.campaignId, "json", db);
    const json = JSON.parse(Buffer.from(await new Response(pack.body).arrayBuffer()).toString("utf8")) as { header: { linkChangeFlags: unknown[] } };
    expect(json.header.linkChangeFlags).toEqual([expect.objectContaining({ pdUserId: w.pdOf.get(a.id), changedBy: { id: eve.id, name: eve.name } })]);
    const csv = await evidenceExport(actorOf(w.auditor), one.campaignId, "csv", db);
    expect(Buffer.from(await new Response(csv.body).arrayBuffer()).toString("utf8")).toContain("Eve Admin changed the PagerDuty link of Member A");
    const pdf = await evidenceExport(actorOf(w.auditor), one.campaignId, "pdf", db);
    expect((await new Response(pdf.body).arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it("flags nothing when no open campaign holds the user's items", async () => {
    const { db } = file;
    const w = await seedWorld(db);
    const eve = await person(db, "Eve Admin", ["ADMIN"]);
    expect(await setAlias(db, actorOf(eve), { connectionId: w.connectionId, personId: w.members[1]!.id, pdUserId: w.pdOf.get(w.members[0]!.id)! }, ctx)).toBe("set");
    expect(await db.reviewLinkChangeFlag.count({ where: { changedById: eve.id } })).toBe(0);
  });
});
