"use client";

import { Notices } from "@/components/ui/notices";
import type { ActionResult } from "@/lib/auth/action";
import type { InAppReminder } from "@/lib/reviews/types";

/** Unread in-app review reminders (due soon, overdue, escalated), with "mark as read". */
export function Reminders({ reminders, markRead }: { reminders: InAppReminder[]; markRead: (raw: unknown) => Promise<ActionResult<{ count: number }>> }) {
  const notices = reminders.map((r) => ({ id: r.id, title: r.campaignName, href: `/reviews/${r.campaignId}`, message: r.message, createdAt: r.createdAt, urgent: r.kind !== "DUE_SOON" }));
  return <Notices notices={notices} markRead={markRead} label="Reminders" testId="reminders" />;
}
