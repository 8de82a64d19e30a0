"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";
import type { InAppReminder } from "@/lib/reviews/types";
import { utcDate } from "./badges";

/** Unread in-app reminders (due soon, overdue, escalated), with "mark as read". */
export function Reminders({ reminders, markRead }: { reminders: InAppReminder[]; markRead: (raw: unknown) => Promise<ActionResult<{ count: number }>> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  if (!reminders.length) return null;
  return (
    <section aria-label="Reminders" className="mb-6 space-y-2" data-testid="reminders">
      {reminders.map((r) => (
        <p key={r.id} role="note" className={`rounded-md border px-3 py-2 text-sm ${r.kind === "DUE_SOON" ? "border-amber-200 bg-amber-50 text-amber-900" : "border-red-200 bg-red-50 text-red-900"}`}>
          <Link href={`/reviews/${r.campaignId}`} className="font-medium underline">
            {r.campaignName}
          </Link>
          : {r.message} <span className="text-xs opacity-70">({utcDate(r.createdAt)})</span>
        </p>
      ))}
      <button
        type="button"
        disabled={pending}
        className="rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 disabled:opacity-50"
        onClick={() =>
          start(async () => {
            const r = await markRead({ reminderIds: reminders.map((x) => x.id) });
            if (r.ok) router.refresh();
            else setError(r.error);
          })
        }
      >
        Mark {reminders.length === 1 ? "it" : "them"} as read
      </button>
      {error && (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
