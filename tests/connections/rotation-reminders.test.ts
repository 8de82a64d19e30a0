/**
 * Credential rotation reminders on a simulated clock, through a local SMTP receiver: nothing before the
 * first threshold, one e-mail (and one in-app reminder) at each threshold, never repeated, an overdue
 * e-mail that repeats only after the configured interval, the dashboard's and the connections page's
 * overdue flag, and a rotation starting a new cycle. Run by a scheduled job in the registry.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listConnections, myRotationReminders, rotationWarnings } from "@/lib/connections/queries";
import { configureRotationReminders, markRotationRemindersRead, ROTATION_REMINDER_JOB, rotationReminderTick, rotationStage } from "@/lib/connections/rotation";
import { declaredSchedules, jobDefinition } from "@/lib/jobs/registry";
import "@/lib/jobs/handlers";
import { databasePerFile } from "../support/db";
import { startSmtpReceiver, type SmtpReceiver } from "../support/smtp";
import { actorOf, person } from "../reviews/support";
import { insertConnection } from "./support/fixtures";

const DAY = 86_400_000;
const file = databasePerFile(() => configureRotationReminders());
let smtp: SmtpReceiver;
beforeAll(async () => {
  smtp = await startSmtpReceiver();
});
afterAll(() => smtp?.close());
beforeEach(() => {
  smtp.inbox.length = 0;
});

describe("credential rotation reminders", () => {
  it("are a scheduled job of the registry", () => {
    expect(jobDefinition(ROTATION_REMINDER_JOB)).toBeDefined();
    expect(declaredSchedules()).toContainEqual(expect.objectContaining({ jobName: ROTATION_REMINDER_JOB }));
  });

  it("stage: the nearest threshold passed, or overdue by repeat interval", () => {
    const o = { daysBefore: [14, 3], overdueRepeatDays: 7 };
    const due = new Date("2026-06-30T00:00:00Z");
    const at = (days: number) => new Date(due.getTime() - days * DAY);
    expect(rotationStage(due, at(14.01), o)).toBeNull();
    expect(rotationStage(due, at(14), o)).toEqual({ stage: "due:14", overdue: false, days: 14 });
    expect(rotationStage(due, at(3.5), o)).toMatchObject({ stage: "due:14" });
    expect(rotationStage(due, at(1), o)).toMatchObject({ stage: "due:3", days: 1 });
    expect(rotationStage(due, at(0), o)).toEqual({ stage: "overdue:0", overdue: true, days: 0 });
    expect(rotationStage(due, at(-6.9), o)).toMatchObject({ stage: "overdue:0", days: 6 });
    expect(rotationStage(due, at(-7), o)).toMatchObject({ stage: "overdue:1", days: 7 });
  });

  it("tell the owner before rotation falls due and when overdue, once per threshold, by e-mail and in-app", async () => {
    const { db } = file;
    const t0 = Date.parse("2026-04-01T08:00:00Z");
    let clock = t0;
    configureRotationReminders({ now: () => clock, smtpUrl: smtp.url, mailFrom: "Portal <portal@portal.test>", portalUrl: "http://portal.test", daysBefore: [14, 3], overdueRepeatDays: 7 });
    const owner = await person(db, "Olive Owner", ["ADMIN"]);
    const other = await person(db, "Niko Nobody");
    const conn = await insertConnection(db, { ownerPersonId: owner.id, apiBaseUrl: "http://127.0.0.1:9", name: "Production PagerDuty", lastRotatedAt: new Date(t0) });
    const dueAt = t0 + 90 * DAY;
    const mails = () => smtp.inbox.filter((m) => m.data.includes("Production PagerDuty"));

    expect(await rotationReminderTick(db)).toEqual({ reminders: 0, emails: 0, emailErrors: 0 });
    clock = dueAt - 14 * DAY - 60_000; // a minute before the first threshold
    expect(await rotationReminderTick(db)).toEqual({ reminders: 0, emails: 0, emailErrors: 0 });
    expect(await rotationWarnings(actorOf(owner))).toEqual([]); // nothing on the dashboard yet

    clock = dueAt - 14 * DAY; // at the threshold
    expect(await rotationReminderTick(db)).toEqual({ reminders: 1, emails: 1, emailErrors: 0 });
    expect(mails()).toHaveLength(1);
    expect(mails()[0]!.to).toEqual([owner.email]);
    expect(mails()[0]!.data).toContain('Subject: Rotate the PagerDuty credential of "Production PagerDuty" by 2026-06-30');
    expect(mails()[0]!.data).toContain(`http://portal.test/admin/connections/${conn.id}`);
    expect(await myRotationReminders(actorOf(owner))).toEqual([expect.objectContaining({ connectionId: conn.id, overdue: false, message: expect.stringContaining("in 14 day(s)") })]);
    expect(await myRotationReminders(actorOf(other))).toEqual([]);

    expect(await rotationReminderTick(db)).toMatchObject({ reminders: 0, emails: 0 }); // not repeated
    clock += 5 * DAY;
    expect(await rotationReminderTick(db)).toMatchObject({ reminders: 0, emails: 0 });
    expect(mails()).toHaveLength(1);

    clock = dueAt - 3 * DAY + 3_600_000; // past the second threshold
    expect(await rotationReminderTick(db)).toMatchObject({ reminders: 1, emails: 1 });
    expect(mails()[1]!.data).toContain("(in 3 day(s))");

    clock = dueAt + 3_600_000; // overdue
    expect(await rotationReminderTick(db)).toMatchObject({ reminders: 1, emails: 1 });
    expect(mails()[2]!.data).toContain('Subject: Overdue: rotate the PagerDuty credential of "Production PagerDuty"');
    for (const days of [1, 3, 6]) {
      clock = dueAt + days * DAY;
      expect(await rotationReminderTick(db)).toMatchObject({ reminders: 0, emails: 0 }); // no spam
    }
    clock = dueAt + 7 * DAY + 60_000; // a week later: once more
    expect(await rotationReminderTick(db)).toMatchObject({ reminders: 1, emails: 1 });
    expect(mails()).toHaveLength(4);
    expect(mails()[3]!.data).toContain("(7 day(s) ago)");
    expect(await db.auditEvent.count({ where: { action: "connection.rotation_reminded", targetId: conn.id, actorType: "SYSTEM" } })).toBe(4);

    // The dashboard and the connections page flag it as overdue.
    expect(await rotationWarnings(actorOf(owner))).toEqual([expect.objectContaining({ connectionId: conn.id, overdue: true, daysLeft: -8 })]);
    expect((await listConnections(actorOf(owner))).find((c) => c.id === conn.id)!.rotation).toMatchObject({ overdue: true });
    const notices = await myRotationReminders(actorOf(owner));
    expect(notices.filter((n) => n.overdue)).toHaveLength(2);
    expect(await markRotationRemindersRead(db, actorOf(other), { reminderIds: notices.map((n) => n.id) })).toEqual({ count: 0 }); // not theirs
    expect(await markRotationRemindersRead(db, actorOf(owner), { reminderIds: notices.map((n) => n.id) })).toEqual({ count: 4 });
    expect(await myRotationReminders(actorOf(owner))).toEqual([]);

    // A rotation starts a new cycle: nothing is due, nothing sent, the flag is gone.
    await db.pagerDutyConnection.update({ where: { id: conn.id }, data: { lastRotatedAt: new Date(clock) } });
    expect(await rotationReminderTick(db)).toMatchObject({ reminders: 0, emails: 0 });
    expect(await rotationWarnings(actorOf(owner))).toEqual([]);
    clock += 76 * DAY; // the new cycle's first threshold
    expect(await rotationReminderTick(db)).toMatchObject({ reminders: 1, emails: 1 });
  });

  it("in-app only without SMTP; a deactivated owner is not reminded; an SMTP refusal is recorded", async () => {
    const { db } = file;
    let clock = Date.parse("2026-04-01T08:00:00Z");
    configureRotationReminders({ now: () => clock, smtpUrl: null, daysBefore: [10], overdueRepeatDays: 30 });
    const owner = await person(db, "Ivo Inapp", ["ADMIN"]);
    const gone = await person(db, "Gus Gone", ["ADMIN"]);
    await db.person.update({ where: { id: gone.id }, data: { status: "DEACTIVATED" } });
    const a = await insertConnection(db, { ownerPersonId: owner.id, apiBaseUrl: "http://127.0.0.1:9", lastRotatedAt: new Date(clock - 85 * DAY) });
    const b = await insertConnection(db, { ownerPersonId: gone.id, apiBaseUrl: "http://127.0.0.1:9", lastRotatedAt: new Date(clock - 85 * DAY) });
    await rotationReminderTick(db);
    expect(await db.connectionRotationReminder.count({ where: { connectionId: a.id } })).toBe(1);
    expect(await db.connectionRotationReminder.count({ where: { connectionId: b.id } })).toBe(0);
    expect(smtp.inbox).toHaveLength(0);

    configureRotationReminders({ smtpUrl: "smtp://127.0.0.1:9" }); // nothing listens there
    clock += 6 * DAY; // overdue
    expect(await rotationReminderTick(db)).toMatchObject({ emails: 0, emailErrors: 1 });
    const refused = await db.connectionRotationReminder.findFirstOrThrow({ where: { connectionId: a.id, channel: "EMAIL" } });
    expect(refused.error).toBeTruthy();
    expect(await rotationReminderTick(db)).toMatchObject({ emails: 0, emailErrors: 0 }); // claimed: not retried into a storm
  });
});
