import Link from "next/link";
import { NotificationsCard } from "@/components/access/notifications";
import { JobHealthCard } from "@/components/dashboard/job-health";
import { Notices } from "@/components/ui/notices";
import { PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { lastChainVerification } from "@/lib/audit/queries";
import { changeCounters } from "@/lib/changes/queries";
import { myRotationReminders, rotationWarnings, type RotationWarning } from "@/lib/connections/queries";
import { getDb } from "@/lib/db";
import { jobHealth } from "@/lib/jobs/health";
import { unreadNotificationCount } from "@/lib/access/notifications";
import { myNotifications } from "@/lib/access/queries";
import { markNotificationsRead } from "./access/actions";
import { markRotationRemindersRead } from "./admin/connections/actions";

export const metadata = { title: "Dashboard" };

const ROLE_TEXT = {
  ADMIN: "connect PagerDuty accounts, manage people and their portal roles, and set policies",
  AUDITOR: "see everything, search the audit trail and export evidence (you change nothing)",
  MEMBER: "see your own PagerDuty access and request just-in-time access",
} as const;

function Stat({ label, value, href }: { label: string; value: string | number; href?: string }) {
  const body = (
    <>
      <p className="text-xs text-slate-500">{label}</p>
      <p className="mt-1 text-2xl font-semibold text-slate-900">{value}</p>
    </>
  );
  return href ? (
    <Link href={href} className="rounded-lg border border-slate-200 bg-white p-4 hover:border-emerald-300">
      {body}
    </Link>
  ) : (
    <div className="rounded-lg border border-slate-200 bg-white p-4">{body}</div>
  );
}

/** Credentials due for rotation within 14 days; overdue ones stand out (red, announced). */
function RotationCard({ warnings }: { warnings: RotationWarning[] }) {
  if (!warnings.length) return null;
  const overdue = warnings.filter((w) => w.overdue);
  return (
    <section aria-labelledby="rotation-title" className={`mt-4 rounded-lg border p-4 ${overdue.length ? "border-red-300 bg-red-50" : "border-amber-200 bg-amber-50"}`} data-testid="rotation-warnings">
      <h2 id="rotation-title" className={`text-base font-semibold ${overdue.length ? "text-red-900" : "text-amber-900"}`}>
        {overdue.length ? `${overdue.length} PagerDuty credential${overdue.length === 1 ? "" : "s"} overdue for rotation` : "PagerDuty credentials due for rotation soon"}
      </h2>
      <ul className="mt-2 space-y-1 text-sm">
        {warnings.map((w) => (
          <li key={w.connectionId} role={w.overdue ? "alert" : undefined} data-testid={w.overdue ? "rotation-overdue" : "rotation-due-soon"} className={w.overdue ? "font-medium text-red-800" : "text-amber-900"}>
            <Link href={`/admin/connections/${w.connectionId}`} className="underline">
              {w.name}
            </Link>{" "}
            ({w.ownerName}): {w.overdue ? `overdue by ${-w.daysLeft} day${w.daysLeft === -1 ? "" : "s"}` : `due in ${w.daysLeft} day${w.daysLeft === 1 ? "" : "s"}`} · due {w.dueAt.toISOString().slice(0, 10)}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default async function DashboardPage() {
  const actor = await requireActor();
  const overview = can(actor, "person.read") && can(actor, "audit.read");
  const db = await getDb();
  let stats: { active: number; deactivated: number; events: bigint } | null = null;
  if (overview) {
    const [active, deactivated, head] = await Promise.all([
      db.person.count({ where: { status: "ACTIVE" } }),
      db.person.count({ where: { status: "DEACTIVATED" } }),
      db.auditHead.findUnique({ where: { id: 1 } }),
    ]);
    stats = { active, deactivated, events: head?.seq ?? 0n };
  }
  const [check, jobs, changes, rotation, rotationNotices, notifications, unread] = await Promise.all([
    overview ? lastChainVerification() : null,
    can(actor, "jobs.read") ? jobHealth() : null,
    can(actor, "change.read") ? changeCounters(actor) : null,
    can(actor, "connection.read") ? rotationWarnings(actor) : [],
    myRotationReminders(actor),
    myNotifications(db, actor, 20),
    unreadNotificationCount(db, actor),
  ]);

  return (
    <>
      <h1 data-testid="dashboard-welcome" className="text-2xl font-semibold text-slate-900">
        Welcome, {actor.name.split(" ")[0]}
      </h1>
      <p className="mt-1 text-sm text-slate-600">
        As {actor.roles.length > 1 ? "an" : "a"} {actor.roles.map((r) => r.charAt(0) + r.slice(1).toLowerCase()).join(" and ")} you can{" "}
        {actor.roles.map((r) => ROLE_TEXT[r]).join("; ")}.
      </p>

      <div className="mt-4">
        <Notices
          notices={rotationNotices.map((n) => ({ id: n.id, title: n.connectionName, href: `/admin/connections/${n.connectionId}`, message: n.message, createdAt: n.createdAt, urgent: n.overdue }))}
          markRead={markRotationRemindersRead}
          label="Credential rotation reminders"
          testId="rotation-reminders"
        />
      </div>
      <RotationCard warnings={rotation} />

      <div className="mt-4">
        <NotificationsCard items={notifications.map((n) => ({ id: n.id, title: n.title, body: n.body, href: n.href, createdAt: n.createdAt.toISOString(), read: n.readAt !== null }))} unread={unread} markAllRead={markNotificationsRead} />
      </div>

      {stats && (
        <section aria-label="Overview" className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Stat label="Active people" value={stats.active} href="/admin/people?status=ACTIVE" />
          <Stat label="Deactivated people" value={stats.deactivated} href="/admin/people?status=DEACTIVATED" />
          <Stat label="Audit events" value={stats.events.toString()} href="/audit" />
          <Stat
            label="Audit chain"
            value={check ? (check.result?.ok ? "Intact" : "Broken") : "Not verified"}
            href="/audit"
          />
        </section>
      )}
      {changes && (
        <section aria-label="Changes to PagerDuty" className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Stat label="Unverified changes" value={changes.unverified} href="/admin/changes#unverified-title" />
          <Stat label="Failed changes" value={changes.failed} href="/admin/changes#failing-title" />
          <Stat label="Batches held for approval" value={changes.heldBatches} href="/admin/changes#held-title" />
        </section>
      )}
      {jobs && (
        <div className="mt-4">
          <JobHealthCard initial={jobs} />
        </div>
      )}

      <section className="mt-8">
        <PageHeader title="Coming to this portal" description="These capabilities are being built; their pages say so plainly until they ship." />
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {[
            ["On-call access", "Access granted automatically while you are on call, and break-glass access."],
            ["Lifecycle", "Joiner, mover and leaver changes from your identity source through approved role mappings."],
          ].map(([title, text]) => (
            <li key={title} className="rounded-lg border border-dashed border-slate-300 bg-white p-4">
              <p className="font-medium text-slate-900">{title}</p>
              <p className="mt-1 text-sm text-slate-600">{text}</p>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
