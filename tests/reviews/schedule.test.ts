/**
 * The clockwork on a simulated clock: reminders before the due date and when overdue, by e-mail through a
 * real local SMTP server and in-app, each once; escalation of overdue items to the fallback reviewer (not
 * the holder), audited; recurrence creating the next campaign one period after launch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { forceCloseCampaign } from "@/lib/reviews/campaigns";
import { configureReviews } from "@/lib/reviews/options";
import { myReminders } from "@/lib/reviews/queries";
import { reviewTick } from "@/lib/reviews/schedule";
import { createTestDb, type TestDb } from "../support/db";
import { startSmtpReceiver, type Mail, type SmtpReceiver } from "../support/smtp";
import { actorOf, launched, seedWorld } from "./support";

let t: TestDb;
let db: Db;
let smtp: SmtpReceiver;
let smtpUrl: string;
let inbox: Mail[];
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestDb();
  db = t.prisma;
  smtp = await startSmtpReceiver();
  smtpUrl = smtp.url;
  inbox = smtp.inbox;
});
afterAll(async () => {
  configureReviews();
  await smtp?.close();
  await t?.close();
});
beforeEach(() => {
  inbox.length = 0;
});

describe("reminders and escalation", () => {
  it("reminds each reviewer before the due date and when overdue (e-mail and in-app, once each), then escalates to the fallback reviewer", async () => {
    let clock = Date.now();
    configureReviews({ now: () => clock, smtpUrl, mailFrom: "Reviews <reviews@portal.test>", portalUrl: "http://portal.test" });
    const w = await seedWorld(db, { now: new Date(clock) });
    const { campaignId } = await launched(db, w, { dueAt: new Date(clock + 10 * DAY) });

    expect((await reviewTick(db)).reminders).toBe(0); // ten days out: nothing yet

    clock += 8 * DAY; // two days before the due date
    const first = await reviewTick(db);
    // The manager (4 items) and the fallback admin (the manager's own item).
    expect(first).toMatchObject({ reminders: 2, emails: 2, emailErrors: 0, escalated: 0 });
    const toManager = inbox.find((m) => m.to.includes(w.manager.email))!;
    expect(toManager.data).toContain('Subject: Access review "Quarterly Platform review" is due');
    expect(toManager.data).toContain("You have 4 access review item(s) to decide");
    expect(toManager.data).toContain(`http://portal.test/reviews/${campaignId}`);
    expect(await myReminders(actorOf(w.manager), db)).toEqual([expect.objectContaining({ campaignId, kind: "DUE_SOON", read: false })]);

    expect(await reviewTick(db)).toMatchObject({ reminders: 0, emails: 0 }); // once only
    expect(inbox).toHaveLength(2);

    clock += 3 * DAY; // a day overdue
    expect(await reviewTick(db)).toMatchObject({ reminders: 2, emails: 2, escalated: 0 });
    expect(inbox.filter((m) => m.data.includes("Subject: Overdue"))).toHaveLength(2);

    clock += 2 * DAY; // past the escalation delay (48 h after the due date)
    const escalation = await reviewTick(db);
    expect(escalation.escalated).toBe(4);
    const items = await db.reviewItem.findMany({ where: { campaignId } });
    expect(items.every((i) => i.reviewerId === w.admin.id)).toBe(true);
    expect(items.filter((i) => i.reviewerReason.startsWith("Escalated to the fallback reviewer: overdue since"))).toHaveLength(4);
    expect(inbox.some((m) => m.to.includes(w.admin.email) && m.data.includes("Subject: Escalated to you"))).toBe(true);
    expect(await db.auditEvent.findFirst({ where: { action: "review.escalated", targetId: campaignId } })).toMatchObject({ actorType: "SYSTEM" });
    expect((await reviewTick(db)).escalated).toBe(0); // once only
  });

  it("never escalates an item to the person whose access it is", async () => {
    let clock = Date.now();
    configureReviews({ now: () => clock, smtpUrl: null });
    const w = await seedWorld(db, { now: new Date(clock) });
    // The fallback reviewer is a member who holds one of the items.
    const { campaignId } = await launched(db, w, { dueAt: new Date(clock + DAY), fallbackReviewerId: w.members[0]!.id });
    clock += 4 * DAY;
    await reviewTick(db);
    const own = (await db.reviewItem.findMany({ where: { campaignId, subjectPersonId: w.members[0]!.id } }))[0]!;
    expect(own.reviewerId).not.toBe(w.members[0]!.id);
    expect(inbox).toHaveLength(0); // e-mail off: in-app only
    // As the fallback reviewer of the manager's own item they were reminded of it, then got the escalation.
    expect((await myReminders(actorOf(w.members[0]!), db)).map((r) => r.kind).sort()).toEqual(["ESCALATED", "OVERDUE"]);
  });

  it("records an SMTP refusal on the reminder and still shows it in-app", async () => {
    let clock = Date.now();
    configureReviews({ now: () => clock, smtpUrl: "smtp://127.0.0.1:9" });
    const w = await seedWorld(db, { now: new Date(clock) });
    const { campaignId } = await launched(db, w, { dueAt: new Date(clock + DAY) });
    clock += DAY / 2;
    const r = await reviewTick(db);
    expect(r.emailErrors).toBeGreaterThan(0);
    const failed = await db.reviewReminder.findFirstOrThrow({ where: { campaignId, personId: w.manager.id, channel: "EMAIL" } });
    expect(failed.error).toBeTruthy();
    expect(await db.reviewReminder.count({ where: { campaignId, personId: w.manager.id, channel: "IN_APP" } })).toBe(1);
  });
});

describe("recurrence", () => {
  it("creates the next occurrence one period after launch (even once this one is closed and locked), due one period later, once", async () => {
    let clock = Date.now();
    configureReviews({ now: () => clock, smtpUrl: null });
    const w = await seedWorld(db, { now: new Date(clock) });
    const due = new Date(clock + 14 * DAY);
    const { campaignId } = await launched(db, w, { recurrenceMonths: 3, dueAt: due });
    expect((await reviewTick(db)).recurred).toBe(0);
    await forceCloseCampaign(db, actorOf(w.admin), { campaignId, reason: "Quarter done" });
    clock += 92 * DAY;
    expect((await reviewTick(db)).recurred).toBe(1);
    const next = await db.reviewCampaign.findFirstOrThrow({ where: { previousCampaignId: campaignId } });
    const expectedDue = new Date(due);
    expectedDue.setUTCMonth(expectedDue.getUTCMonth() + 3);
    expect(next).toMatchObject({ status: "DRAFT", recurrenceMonths: 3, dueAt: expectedDue, connectionIds: [w.connectionId] });
    expect(next.name).toBe(`Quarterly Platform review (due ${expectedDue.toISOString().slice(0, 10)})`);
    expect((await reviewTick(db)).recurred).toBe(0);
    expect((await db.reviewCampaign.findUniqueOrThrow({ where: { id: campaignId } })).recurredAt).not.toBeNull();
  });
});
