/**
 * Credential rotation reminders (the credential is a governed non-human identity, invariant 5): the
 * connection's owner is told in-app and by e-mail before rotation falls due (by default 14 and 3 days
 * before) and when it is overdue (then again every 7 days), each stage once per rotation cycle (a
 * rotation starts a new cycle). Run by the `connections.rotation_reminders` job on the rotation clock,
 * which tests and the demo replace (simulated time), as lib/reviews/options.ts does for reviews.
 */
import { randomUUID } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import type { Actor } from "@/lib/auth/session";
import { overridableSettings } from "@/lib/config/overridable";
import type { Db } from "@/lib/db";
import { sendClaimedMail } from "@/lib/mail";
import { rotationStatus } from "./capabilities";

export interface RotationReminderOptions {
  now: () => number;
  /** SMTP server URL (e.g. smtp://127.0.0.1:2525); null: e-mail off, in-app only. */
  smtpUrl: string | null;
  mailFrom: string;
  /** Base URL of the portal in e-mails. */
  portalUrl: string;
  /** Remind this many days before the due date (each once per rotation cycle). */
  daysBefore: number[];
  /** Once overdue, remind again every this many days. */
  overdueRepeatDays: number;
}

const DEFAULTS: RotationReminderOptions = {
  now: () => Date.now(),
  smtpUrl: null,
  mailFrom: "PagerDuty Access Portal <reviews@localhost>",
  portalUrl: "http://localhost:3000",
  daysBefore: [14, 3],
  overdueRepeatDays: 7,
};

const settings = overridableSettings(DEFAULTS, (e) => ({ smtpUrl: e.smtpUrl ?? null, mailFrom: e.mailFrom, portalUrl: e.authUrl, daysBefore: e.rotationReminderDays, overdueRepeatDays: e.rotationOverdueRepeatDays }));

/** Defaults from the environment (lib/config/env.ts: ROTATION_REMINDER_DAYS, ROTATION_OVERDUE_REPEAT_DAYS, SMTP_URL), read on first use. */
export const rotationReminderOptions = settings.get;

/** Replaces some settings (tests, demo); with no argument restores the defaults. */
export const configureRotationReminders = settings.configure;

export const rotationNow = (): Date => new Date(rotationReminderOptions().now());

const DAY_MS = 86_400_000;

export interface RotationStage {
  /** "due:<days before>" or "overdue:<n>" (n-th repeat interval since the due date). */
  stage: string;
  overdue: boolean;
  /** Whole days until due (rounded up), or overdue (rounded down). */
  days: number;
}

/** The reminder stage a credential is in now, or null while its due date is further off than every threshold. */
export function rotationStage(dueAt: Date, now: Date, o: Pick<RotationReminderOptions, "daysBefore" | "overdueRepeatDays">): RotationStage | null {
  const ms = dueAt.getTime() - now.getTime();
  if (ms <= 0) {
    const days = Math.floor((now.getTime() - dueAt.getTime()) / DAY_MS);
    return { stage: `overdue:${Math.floor(days / o.overdueRepeatDays)}`, overdue: true, days };
  }
  const threshold = [...o.daysBefore].sort((a, b) => a - b).find((d) => ms <= d * DAY_MS);
  return threshold === undefined ? null : { stage: `due:${threshold}`, overdue: false, days: Math.ceil(ms / DAY_MS) };
}

export const ROTATION_REMINDER_JOB = "connections.rotation_reminders";

export interface RotationTickReport {
  reminders: number;
  emails: number;
  emailErrors: number;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

function texts(name: string, dueAt: Date, s: RotationStage): { subject: string; text: string } {
  return s.overdue
    ? {
        subject: `Overdue: rotate the PagerDuty credential of "${name}"`,
        text: `The PagerDuty credential of "${name}" was due for rotation on ${day(dueAt)} (${s.days === 0 ? "today" : `${s.days} day(s) ago`}). As its owner, create a new key in PagerDuty and rotate it in the portal.`,
      }
    : {
        subject: `Rotate the PagerDuty credential of "${name}" by ${day(dueAt)}`,
        text: `The PagerDuty credential of "${name}" is due for rotation on ${day(dueAt)} (in ${s.days} day(s)). As its owner, create a new key in PagerDuty and rotate it in the portal before then.`,
      };
}

/** One pass over every live connection; safe at any rate (each stage is claimed once per cycle and channel). */
export async function rotationReminderTick(db: Db, now: Date = rotationNow()): Promise<RotationTickReport> {
  const o = rotationReminderOptions();
  const report: RotationTickReport = { reminders: 0, emails: 0, emailErrors: 0 };
  const rows = await db.pagerDutyConnection.findMany({
    where: { status: { not: "REMOVED" } },
    select: { id: true, name: true, lastRotatedAt: true, rotationPeriodDays: true, owner: { select: { id: true, name: true, email: true, status: true } } },
  });
  for (const c of rows) {
    const { dueAt } = rotationStatus(c, now);
    const s = rotationStage(dueAt, now, o);
    if (!s || c.owner.status !== "ACTIVE") continue;
    const { subject, text } = texts(c.name, dueAt, s);
    const row = { connectionId: c.id, personId: c.owner.id, cycle: c.lastRotatedAt, stage: s.stage, message: text, dueAt, createdAt: now };
    report.reminders += await db.$transaction(async (tx) => {
      const made = await tx.connectionRotationReminder.createMany({ data: [{ id: randomUUID(), ...row, channel: "IN_APP" }], skipDuplicates: true });
      if (made.count) {
        await appendAudit(tx, {
          actor: { type: "system", job: ROTATION_REMINDER_JOB },
          action: "connection.rotation_reminded",
          target: { type: "pagerduty_connection", id: c.id },
          accountId: c.id,
          after: { ownerPersonId: c.owner.id, stage: s.stage, dueAt: dueAt.toISOString(), email: o.smtpUrl !== null },
        });
      }
      return made.count;
    });
    if (!o.smtpUrl) continue;
    const id = randomUUID();
    const link = `${o.portalUrl.replace(/\/$/, "")}/admin/connections/${c.id}`;
    const sent = await sendClaimedMail(
      o.smtpUrl,
      { from: o.mailFrom, to: `${c.owner.name} <${c.owner.email}>`, subject, text: `${text}\n\nOpen the connection: ${link}\n` },
      async () => (await db.connectionRotationReminder.createMany({ data: [{ id, ...row, channel: "EMAIL" }], skipDuplicates: true })).count > 0,
      (error) => db.connectionRotationReminder.update({ where: { id }, data: { error } }),
    );
    report.emails += sent.email;
    report.emailErrors += sent.emailError;
  }
  return report;
}

export async function markRotationRemindersRead(db: Db, actor: Actor, input: { reminderIds: string[] }): Promise<{ count: number }> {
  const r = await db.connectionRotationReminder.updateMany({ where: { id: { in: input.reminderIds }, personId: actor.personId, channel: "IN_APP", readAt: null }, data: { readAt: rotationNow() } });
  return { count: r.count };
}
