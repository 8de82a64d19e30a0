"use client";

import Link from "next/link";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import { baseRoleLabel } from "@/lib/pagerduty-data/roles";
import type { PdUserRow } from "@/lib/pagerduty-data/users";

const ROW_HEIGHT = 44;
const COLUMNS = "grid grid-cols-[minmax(10rem,2fr)_minmax(12rem,2fr)_minmax(8rem,1fr)_5rem_minmax(10rem,1.5fr)] gap-3 px-4";

/**
 * Every user of the account, virtualized: only the rows in view are in the DOM, so 10,000 users scroll
 * as smoothly as 10. Filtering happened on the server.
 */
export function PdUsersTable({ rows, connectionId }: { rows: PdUserRow[]; connectionId: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  // The virtualizer hands back functions React Compiler must not memoize; the table re-renders with it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  return (
    <div role="table" aria-label="PagerDuty users" aria-rowcount={rows.length + 1} className="rounded-lg border border-slate-200 bg-white text-sm">
      <div role="rowgroup">
        <div role="row" className={`${COLUMNS} border-b border-slate-200 bg-slate-50 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500`}>
          {["User", "Email", "Base role", "Teams", "Portal person"].map((h) => (
            <span key={h} role="columnheader">{h}</span>
          ))}
        </div>
      </div>
      <div ref={scroller} role="rowgroup" tabIndex={0} aria-label="Users, scrollable" data-testid="pd-users-scroller" className="max-h-[60vh] overflow-auto focus:outline-2 focus:outline-emerald-600">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((item) => {
            const u = rows[item.index]!;
            return (
              <div
                key={u.pdId}
                role="row"
                aria-rowindex={item.index + 2}
                data-testid="pd-user-row"
                className={`${COLUMNS} absolute left-0 top-0 w-full items-center border-b border-slate-100`}
                style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              >
                <span role="cell" className="truncate">
                  <Link href={`/pagerduty/users/${u.pdId}?connection=${connectionId}`} className="font-medium text-slate-900 hover:underline">
                    {u.name}
                  </Link>
                  {u.invitationPending && <span className="ml-1 text-xs text-amber-700">(invited)</span>}
                </span>
                <span role="cell" className="truncate text-slate-600">{u.email}</span>
                <span role="cell">{baseRoleLabel(u.role)}</span>
                <span role="cell">{u.teams}</span>
                <span role="cell" className="truncate">
                  {u.person ? (
                    <>
                      {u.person.name} <span className="text-xs text-slate-500">({u.person.via})</span>
                    </>
                  ) : (
                    <span className="text-amber-800">Unmatched</span>
                  )}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
