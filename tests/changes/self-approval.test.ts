/**
 * Separation of duties at the brake: an admin whose own review decisions produced a held remediation
 * batch cannot approve it (refused on the server with the reason, audited, the batch stays held); another
 * admin can. The change queue's preview names who caused the batch, so the page can say why.
 */
import { describe, expect, it } from "vitest";
import { approveBatch, batchPreview } from "@/lib/changes";
import { saveDrafts, submitDecisions } from "@/lib/reviews/decisions";
import { databasePerFile } from "../support/db";
import { actorOf, launched, person, seedWorld } from "../reviews/support";

const file = databasePerFile();

describe("self-approval of a held batch", () => {
  it("is refused for the admin whose review decision caused it, and another admin may approve it", async () => {
    const { db } = file;
    const w = await seedWorld(db);
    await db.changePolicy.create({ data: { connectionId: w.connectionId, brakeUserShare: 0 } }); // every batch is held
    const { campaignId } = await launched(db, w);
    const item = (await db.reviewItem.findMany({ where: { campaignId, subjectPersonId: w.members[1]!.id } }))[0]!;
    await db.reviewItem.update({ where: { id: item.id }, data: { reviewerId: w.admin.id } });
    await saveDrafts(db, actorOf(w.admin), { campaignId, decisions: [{ itemId: item.id, decision: "REVOKE", justification: "Left the team" }] });
    const submitted = await submitDecisions(db, actorOf(w.admin), { campaignId, acknowledgeRubberStamp: false });
    expect(submitted).toMatchObject({ submitted: true, remediations: 1 });
    const { changeBatchId } = await db.reviewSubmission.findFirstOrThrow({ where: { campaignId } });
    const batchId = changeBatchId!;
    expect(await db.changeBatch.findUniqueOrThrow({ where: { id: batchId } })).toMatchObject({ status: "HELD", causeKind: "REVIEW_DECISION" });

    const preview = await batchPreview(db, batchId);
    expect(preview!.causedBy).toEqual([expect.objectContaining({ personId: w.admin.id, why: expect.stringMatching(/submitted the review decisions/) })]);

    await expect(approveBatch(db, actorOf(w.admin), { batchId, reason: "Looks right" })).rejects.toThrow(/You cannot approve this batch: you submitted the review decisions that produced it\. Separation of duties/);
    expect(await db.changeBatch.findUniqueOrThrow({ where: { id: batchId } })).toMatchObject({ status: "HELD", decidedById: null });
    expect((await db.changeRequest.findMany({ where: { batchId } })).every((c) => c.status === "HELD")).toBe(true);
    expect(await db.auditEvent.count({ where: { action: "change.batch_approval_refused", targetId: batchId, actorId: w.admin.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "change.batch_approved", targetId: batchId } })).toBe(0);

    const other = await person(db, "Bea Admin", ["ADMIN"]);
    expect(await approveBatch(db, actorOf(other), { batchId, reason: "Checked by a second admin" })).toEqual({ batchId, released: 1 });
    expect(await db.changeBatch.findUniqueOrThrow({ where: { id: batchId } })).toMatchObject({ status: "APPROVED", decidedById: other.id });
  });

  it("refuses a step-1 reviewer too when a second step's decision produced the batch", async () => {
    const { db } = file;
    const w = await seedWorld(db);
    await db.changePolicy.create({ data: { connectionId: w.connectionId, brakeUserShare: 0 } });
    const second = await person(db, "Sam Second", ["ADMIN"]);
    const { campaignId } = await launched(db, w, { policy: { steps: [{ kind: "team_managers" }, { kind: "people", personIds: [second.id] }] } });
    const item = (await db.reviewItem.findMany({ where: { campaignId, subjectPersonId: w.members[1]!.id } }))[0]!;
    await db.reviewItem.update({ where: { id: item.id }, data: { reviewerId: w.admin.id } });
    await saveDrafts(db, actorOf(w.admin), { campaignId, decisions: [{ itemId: item.id, decision: "REVOKE", justification: "Left the team" }] });
    await submitDecisions(db, actorOf(w.admin), { campaignId, acknowledgeRubberStamp: false });
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: item.id } })).toMatchObject({ step: 2, reviewerId: second.id });
    await saveDrafts(db, actorOf(second), { campaignId, decisions: [{ itemId: item.id, decision: "REVOKE", justification: "Agreed" }] });
    await submitDecisions(db, actorOf(second), { campaignId, acknowledgeRubberStamp: false });
    const batch = await db.changeBatch.findFirstOrThrow({ where: { causeKind: "REVIEW_DECISION", connectionId: w.connectionId } });
    expect(batch.status).toBe("HELD");
    await expect(approveBatch(db, actorOf(w.admin), { batchId: batch.id })).rejects.toThrow(/you decided step 1 of review items it remediates/);
    await expect(approveBatch(db, actorOf(second), { batchId: batch.id })).rejects.toThrow(/You cannot approve this batch/);
    const third = await person(db, "Tia Admin", ["ADMIN"]);
    expect((await approveBatch(db, actorOf(third), { batchId: batch.id })).released).toBe(1);
  });
});
