"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";

export interface NotificationItem {
  id: string;
  title: string;
  body: string;
  href: string | null;
  /** ISO instant. */
  createdAt: string;
  read: boolean;
}

const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const focusRing = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600";

/** The signed-in person's just-in-time access notifications (newest first), unread ones marked, with "mark all read". */
export function NotificationsCard({ items, unread, markAllRead }: { items: NotificationItem[]; unread: number; markAllRead: (raw: unknown) => Promise<ActionResult<{ count: number }>> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="notifications-title" className="rounded-lg border border-slate-200 bg-white" data-testid="notifications">
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-3">
        <h2 id="notifications-title" className="flex items-center gap-2 text-base font-semibold text-slate-900">
          Notifications
          <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${unread ? "bg-emerald-700 text-white" : "bg-slate-100 text-slate-600"}`} data-testid="notifications-unread">
            {unread} unread
          </span>
        </h2>
        {unread > 0 && items[0] && (
          <button
            type="button"
            disabled={pending}
            data-testid="notifications-mark-read"
            className={`rounded-md border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-50 ${focusRing}`}
            onClick={() =>
              start(async () => {
                setError(null);
                // Up to the newest one shown: one that arrives meanwhile stays unread.
                const r = await markAllRead({ upTo: items[0]!.createdAt });
                if (r.ok) router.refresh();
                else setError(r.error);
              })
            }
          >
            {pending ? "Marking…" : "Mark all read"}
          </button>
        )}
      </header>
      {error && (
        <p role="alert" className="px-4 pt-2 text-sm text-red-700">
          {error}
        </p>
      )}
      {items.length === 0 ? (
        <p className="px-4 py-6 text-center text-sm text-slate-600">No notifications yet. Requests waiting for you, decisions on yours and access about to end appear here.</p>
      ) : (
        <ul className="max-h-96 divide-y divide-slate-100 overflow-y-auto">
          {items.map((n) => (
            <li key={n.id} className={`flex gap-3 px-4 py-2.5 ${n.read ? "" : "bg-emerald-50/40"}`} data-testid="notification" data-read={n.read ? "true" : "false"}>
              <span aria-hidden className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${n.read ? "bg-transparent" : "bg-emerald-600"}`} />
              <div className="min-w-0 flex-1">
                <p className={`text-sm ${n.read ? "text-slate-700" : "font-semibold text-slate-900"}`}>
                  {n.href && n.href.startsWith("/") && !n.href.startsWith("//") ? (
                    <Link href={n.href} className={`underline decoration-slate-300 hover:decoration-slate-600 ${focusRing}`}>
                      {n.title}
                    </Link>
                  ) : (
                    n.title
                  )}
                  {!n.read && <span className="sr-only"> (unread)</span>}
                </p>
                <p className="text-sm text-slate-600">{n.body}</p>
                <p className="text-xs text-slate-500">{when(n.createdAt)}</p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
