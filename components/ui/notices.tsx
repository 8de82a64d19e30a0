"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";

export interface Notice {
  id: string;
  /** What the notice is about, linked. */
  title: string;
  href: string;
  message: string;
  createdAt: string;
  /** Overdue (red) rather than due soon (amber). */
  urgent: boolean;
}

const when = (iso: string) => iso.slice(0, 16).replace("T", " ") + " UTC";

/** Unread in-app notices (review reminders, credential rotation reminders), with "mark as read". */
export function Notices({ notices, markRead, label, testId }: { notices: Notice[]; markRead: (raw: unknown) => Promise<ActionResult<{ count: number }>>; label: string; testId: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  if (!notices.length) return null;
  return (
    <section aria-label={label} className="mb-6 space-y-2" data-testid={testId}>
      {notices.map((n) => (
        <p key={n.id} role="note" className={`rounded-md border px-3 py-2 text-sm ${n.urgent ? "border-red-200 bg-red-50 text-red-900" : "border-amber-200 bg-amber-50 text-amber-900"}`}>
          <Link href={n.href} className="font-medium underline">
            {n.title}
          </Link>
          : {n.message} <span className="text-xs opacity-70">({when(n.createdAt)})</span>
        </p>
      ))}
      <button
        type="button"
        disabled={pending}
        className="rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 disabled:opacity-50"
        onClick={() =>
          start(async () => {
            const r = await markRead({ reminderIds: notices.map((x) => x.id) });
            if (r.ok) router.refresh();
            else setError(r.error);
          })
        }
      >
        Mark {notices.length === 1 ? "it" : "them"} as read
      </button>
      {error && (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
