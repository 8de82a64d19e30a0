import "server-only";
import { can } from "@/lib/auth/access";
import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { ConnectionStatus, type Prisma } from "@/lib/generated/prisma/client";
import { rotationStatus, type RotationStatus } from "./capabilities";
import { connectionPublicSelect, toConnectionDto, type ConnectionDto } from "./dto";
import { rotationNow, rotationReminderOptions } from "./rotation";

/**
 * Reads for pages (the data-access layer): each call authorizes `connection.read` (Admins, Auditors) and
 * returns DTOs that never hold a secret or ciphertext.
 */

function requireRead(actor: Actor | null): Actor {
  if (!actor) throw new AuthenticationError();
  if (!can(actor, "connection.read")) throw new AuthorizationError("You don't have access to PagerDuty connections.");
  return actor;
}

/** Connections, by name. Removed ones only when asked (they are history). */
export async function listConnections(actor: Actor | null, opts: { includeRemoved?: boolean; now?: Date } = {}): Promise<ConnectionDto[]> {
  requireRead(actor);
  const db = await getDb();
  const where: Prisma.PagerDutyConnectionWhereInput = opts.includeRemoved ? {} : { status: { not: ConnectionStatus.REMOVED } };
  const rows = await db.pagerDutyConnection.findMany({ where, select: connectionPublicSelect, orderBy: [{ name: "asc" }, { createdAt: "asc" }] });
  const now = opts.now ?? rotationNow();
  return rows.map((r) => toConnectionDto(r, now));
}

/** One connection (removed ones too: their page shows history), or null. */
export async function getConnection(actor: Actor | null, connectionId: string, opts: { now?: Date } = {}): Promise<ConnectionDto | null> {
  requireRead(actor);
  if (typeof connectionId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(connectionId)) return null;
  const db = await getDb();
  const row = await db.pagerDutyConnection.findUnique({ where: { id: connectionId }, select: connectionPublicSelect });
  return row ? toConnectionDto(row, opts.now ?? rotationNow()) : null;
}

export interface RotationWarning extends RotationStatus {
  connectionId: string;
  name: string;
  ownerName: string;
}

/** For the dashboard: live connections whose credential is overdue or due within the first reminder's days (at least 14), most urgent first. */
export async function rotationWarnings(actor: Actor | null, now: Date = rotationNow()): Promise<RotationWarning[]> {
  requireRead(actor);
  const db = await getDb();
  const rows = await db.pagerDutyConnection.findMany({
    where: { status: { not: ConnectionStatus.REMOVED } },
    select: { id: true, name: true, lastRotatedAt: true, rotationPeriodDays: true, owner: { select: { name: true } } },
  });
  return rows
    .map((r) => ({ connectionId: r.id, name: r.name, ownerName: r.owner.name, ...rotationStatus(r, now) }))
    .filter((w) => w.dueSoon || w.dueAt.getTime() - now.getTime() < Math.max(...rotationReminderOptions().daysBefore) * 86_400_000)
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

export interface RotationNotice {
  id: string;
  connectionId: string;
  connectionName: string;
  overdue: boolean;
  message: string;
  createdAt: string;
}

/** The signed-in person's unread in-app rotation reminders (as a credential's owner), newest first. */
export async function myRotationReminders(actor: Actor | null): Promise<RotationNotice[]> {
  if (!actor) throw new AuthenticationError();
  const db = await getDb();
  const rows = await db.connectionRotationReminder.findMany({
    where: { personId: actor.personId, channel: "IN_APP", readAt: null, connection: { status: { not: "REMOVED" } } },
    orderBy: { createdAt: "desc" },
    take: 50,
    include: { connection: { select: { name: true, lastRotatedAt: true } } },
  });
  // A reminder of a cycle already rotated away is moot.
  return rows
    .filter((r) => r.cycle.getTime() === r.connection.lastRotatedAt.getTime())
    .map((r) => ({ id: r.id, connectionId: r.connectionId, connectionName: r.connection.name, overdue: r.stage.startsWith("overdue"), message: r.message, createdAt: r.createdAt.toISOString() }));
}
