"use server";

import { revalidatePath } from "next/cache";
import { markNotificationsRead as markRead } from "@/lib/access/notifications";
import { markNotificationsReadInput } from "@/lib/access/schemas";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { getDb } from "@/lib/db";

const markAction = defineAction({ name: "access.markNotificationsRead", input: markNotificationsReadInput, permission: "portal.view", run: async ({ actor, input }) => markRead(await getDb(), actor, input), message: ({ count }) => `${count} notification${count === 1 ? "" : "s"} marked read.` });

/** {upTo}: the signed-in person's own unread notifications up to that instant, marked read. */
export async function markNotificationsRead(raw: unknown): Promise<ActionResult<{ count: number }>> {
  const result = await markAction(raw);
  if (result.ok) revalidatePath("/", "layout");
  return result;
}
