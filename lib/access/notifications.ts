/** The signed-in person's in-app notifications of just-in-time access: count and "mark all read". */
import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import { requireActor } from "./errors";
import { accessNow } from "./options";
import type { markNotificationsReadInput } from "./schemas";
import type { z } from "zod";

export async function unreadNotificationCount(db: Db, actorIn: Actor | null): Promise<number> {
  const actor = requireActor(actorIn, "portal.view");
  return db.notification.count({ where: { personId: actor.personId, readAt: null } });
}

/** Marks read the actor's own unread notifications created up to `upTo` (never anyone else's); returns how many. */
export async function markNotificationsRead(db: Db, actorIn: Actor | null, input: z.output<typeof markNotificationsReadInput>): Promise<{ count: number }> {
  const actor = requireActor(actorIn, "portal.view");
  const { count } = await db.notification.updateMany({ where: { personId: actor.personId, readAt: null, createdAt: { lte: input.upTo } }, data: { readAt: accessNow() } });
  return { count };
}
