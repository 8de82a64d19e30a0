/**
 * In-app reminders read by their person.
 */
import type { Actor } from "@/lib/auth/session";
import type { Db } from "@/lib/db";
import { requireActor } from "./guard";
import { reviewNow } from "./options";

export async function markRemindersRead(db: Db, actorIn: Actor | null, input: { reminderIds: string[] }): Promise<{ count: number }> {
  const actor = requireActor(actorIn, "review.read");
  const r = await db.reviewReminder.updateMany({ where: { id: { in: input.reminderIds }, personId: actor.personId, channel: "IN_APP", readAt: null }, data: { readAt: reviewNow() } });
  return { count: r.count };
}
