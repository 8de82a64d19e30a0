/**
 * Notifications of just-in-time access: in-app (a Notification row the person sees on Requests and the
 * dashboard) and, when SMTP is configured, the same by e-mail. Rows are written in the transaction of
 * what they announce (one per person, kind and subject: repeating a step never notifies twice); e-mails
 * are sent afterwards by the access tick, each claimed before it is sent (lib/mail).
 */
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "@/lib/db";
import { sendClaimedMail } from "@/lib/mail";
import { accessOptions } from "./options";

export type NotificationKind =
  | "access_request.waiting"
  | "access_request.reminder"
  | "access_request.escalated"
  | "access_request.decided"
  | "access_request.granted"
  | "access_request.expiring"
  | "access_request.ended"
  | "access_request.timed_out";

export interface NewNotification {
  personId: string;
  kind: NotificationKind;
  subjectId: string;
  title: string;
  body: string;
  href: string;
}

export async function notify(tx: Tx, items: readonly NewNotification[], at: Date): Promise<void> {
  if (items.length === 0) return;
  await tx.notification.createMany({ data: items.map((n) => ({ id: randomUUID(), ...n, createdAt: at })), skipDuplicates: true });
}

/** Sends the e-mails of notifications not e-mailed yet (oldest first, a bounded batch per call). */
export async function sendPendingEmails(db: Db, limit = 100): Promise<{ email: number; emailError: number }> {
  const opts = accessOptions();
  const total = { email: 0, emailError: 0 };
  if (!opts.smtpUrl) return total;
  const pending = await db.notification.findMany({ where: { emailedAt: null, emailError: null, kind: { startsWith: "access_request." } }, orderBy: { createdAt: "asc" }, take: limit });
  if (pending.length === 0) return total;
  const people = new Map((await db.person.findMany({ where: { id: { in: pending.map((n) => n.personId) } }, select: { id: true, email: true, status: true } })).map((p) => [p.id, p]));
  for (const n of pending) {
    const to = people.get(n.personId);
    if (!to || to.status !== "ACTIVE") {
      await db.notification.update({ where: { id: n.id }, data: { emailError: "not sent: the person is deactivated or gone" } });
      continue;
    }
    const link = n.href ? `\n\n${new URL(n.href, opts.portalUrl).toString()}` : "";
    const r = await sendClaimedMail(
      opts.smtpUrl,
      { from: opts.mailFrom, to: to.email, subject: n.title, text: `${n.body}${link}\n` },
      async () => (await db.notification.updateMany({ where: { id: n.id, emailedAt: null }, data: { emailedAt: new Date() } })).count === 1,
      (message) => db.notification.update({ where: { id: n.id }, data: { emailError: message } }),
    );
    total.email += r.email;
    total.emailError += r.emailError;
  }
  return total;
}
