"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useRef, useState, useTransition } from "react";
import type { BulkOutcome, DecideOutcome } from "@/lib/access/decide";
import type { Queue, QueueRow } from "@/lib/access/queries";
import type { ActionResult } from "@/lib/auth/action";
import { button, duration, fetchJson, field, label, readableTimes, ResultLine, utc, type Wire } from "./request-bits";

type Row = Wire<QueueRow>;
type Page = Wire<Queue>;

export interface ApprovalActions {
  decide: (raw: { requestId: string; decision: "approve" | "deny"; comment: string }) => Promise<ActionResult<DecideOutcome>>;
  bulkApprove: (raw: { requestIds: string[]; comment: string; acknowledged: boolean }) => Promise<ActionResult<BulkOutcome>>;
}

const PAGE = 50;
const url = (q: string, cursor: string | null) => `/api/access/approvals?${new URLSearchParams({ limit: String(PAGE), ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) }).toString()}`;
const OUTCOME: Record<string, string> = { ended: "ended", denied: "denied", cancelled: "withdrawn", timed_out: "expired undecided", failed: "failed", active: "active", approved: "approved", ending: "ending" };

/** The rubber-stamp second look of a large bulk approval: the server's reason, then confirm or look again. */
function SecondLook({ prompt, pending, onLookAgain, onConfirm }: { prompt: { reason: string; count: number } | null; pending: boolean; onLookAgain: () => void; onConfirm: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (prompt && d && !d.open) d.showModal();
    if (!prompt && d?.open) d.close();
  }, [prompt]);
  return (
    <dialog ref={ref} onClose={onLookAgain} role="alertdialog" aria-labelledby="approval-second-look-title" data-testid="second-look" className="m-auto w-full max-w-md rounded-lg border border-amber-300 p-0 shadow-xl backdrop:bg-slate-900/30">
      {prompt && (
        <div className="space-y-3 p-5">
          <h2 id="approval-second-look-title" className="text-lg font-semibold text-amber-900">
            Approve {prompt.count} requests at once?
          </h2>
          <p className="text-sm text-slate-800">{prompt.reason}</p>
          <p className="text-sm text-slate-600">Each approval grants access in PagerDuty right away. Auditors look for approvers who approve everything without reading it.</p>
          <div className="flex justify-end gap-2">
            <button type="button" autoFocus onClick={onLookAgain} data-testid="second-look-cancel" className={button.secondary}>
              Look again
            </button>
            <button type="button" disabled={pending} onClick={onConfirm} data-testid="second-look-confirm" className="rounded-md bg-amber-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-amber-800 disabled:opacity-50">
              {pending ? "Approving…" : `I checked them: approve ${prompt.count}`}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}

function Context({ row }: { row: Row }) {
  const outcomes = Object.entries(row.past.byOutcome).map(([k, n]) => `${n} ${OUTCOME[k] ?? k}`);
  return (
    <dl className="grid gap-x-4 gap-y-1.5 text-xs sm:grid-cols-2">
      <div>
        <dt className="font-medium text-slate-500">Holds now</dt>
        <dd className="text-slate-800">{row.currentAccess.length ? row.currentAccess.join(" · ") : "Nothing in this account"}</dd>
      </div>
      <div>
        <dt className="font-medium text-slate-500">On call</dt>
        <dd className="text-slate-800">{readableTimes([row.onCall.now, row.onCall.next].filter(Boolean).join(" · ")) || "Not on call now, no shift ahead"}</dd>
      </div>
      <div>
        <dt className="font-medium text-slate-500">Past requests</dt>
        <dd className="text-slate-800" title={row.past.recent.map((r) => `${r.ref} ${r.itemName}: ${r.status.toLowerCase()}${r.endReason ? ` (${r.endReason.toLowerCase()})` : ""}`).join("\n")}>
          {row.past.total ? `${row.past.total}: ${outcomes.join(", ")}` : "None before"}
        </dd>
      </div>
      <div>
        <dt className="font-medium text-slate-500">Others who may approve</dt>
        <dd className="text-slate-800">{row.otherApprovers.length ? row.otherApprovers.join(", ") : "Only you"}</dd>
      </div>
    </dl>
  );
}

/** Approve or deny one request, with a comment kept in its history. */
function RowDecision({ row, decide, onDone }: { row: Row; decide: ApprovalActions["decide"]; onDone: (r: { ok: boolean; text: string }) => void }) {
  const id = useId();
  const [comment, setComment] = useState("");
  const [pending, start] = useTransition();
  const run = (decision: "approve" | "deny") =>
    start(async () => {
      const r = await decide({ requestId: row.id, decision, comment: comment.trim() });
      onDone(r.ok ? { ok: true, text: r.message ?? "Decision recorded." } : { ok: false, text: r.error });
    });
  return (
    <div className="space-y-2">
      <label htmlFor={`${id}-c`} className="sr-only">
        Comment on {row.ref}
      </label>
      <textarea id={`${id}-c`} rows={2} maxLength={2000} placeholder="Comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} className={`${field} mt-0`} />
      <div className="flex gap-2">
        <button type="button" disabled={pending} className={button.primary} onClick={() => run("approve")} aria-label={`Approve ${row.ref}`}>
          Approve
        </button>
        <button type="button" disabled={pending} className={button.danger} onClick={() => run("deny")} aria-label={`Deny ${row.ref}`}>
          Deny
        </button>
      </div>
    </div>
  );
}

/**
 * The approver's queue: requests this person may decide now, oldest first, each with the requester's
 * context; search on the server, keyset pages ("Load more"), a decision per row, and bulk approval of the
 * selection with the rubber-stamp second look.
 */
export function ApprovalQueue({ initial, initialQuery, highlight, actions }: { initial: Page | null; initialQuery: string; highlight: string | null; actions: ApprovalActions }) {
  const client = useQueryClient();
  const [text, setText] = useState(initialQuery);
  const [q, setQ] = useState(initialQuery);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkComment, setBulkComment] = useState("");
  const [secondLook, setSecondLook] = useState<{ reason: string; count: number } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();

  // Search runs on the server, a moment after typing stops; a new search clears the selection.
  useEffect(() => {
    const t = setTimeout(() => {
      if (text.trim() === q) return;
      setQ(text.trim());
      setSelected(new Set());
    }, 250);
    return () => clearTimeout(t);
  }, [text, q]);

  const query = useInfiniteQuery({
    queryKey: ["approval-queue", q],
    queryFn: ({ pageParam }) => fetchJson<Page>(url(q, pageParam), "The queue"),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: initial && q === initialQuery ? { pages: [initial], pageParams: [null] } : undefined,
    refetchInterval: 30_000,
  });
  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  const total = query.data?.pages[0]?.total ?? 0;
  const refresh = () => client.invalidateQueries({ queryKey: ["approval-queue"] });

  useEffect(() => {
    if (highlight) document.getElementById(`approval-${highlight}`)?.scrollIntoView({ block: "center" });
  }, [highlight]);

  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const approveSelected = (acknowledged: boolean) =>
    start(async () => {
      const r = await actions.bulkApprove({ requestIds: [...selected], comment: bulkComment.trim(), acknowledged });
      if (!r.ok) {
        setSecondLook(null);
        setMessage({ ok: false, text: r.error });
        return;
      }
      if (r.data.secondLook) {
        setSecondLook(r.data.secondLook);
        return;
      }
      setSecondLook(null);
      setSelected(new Set());
      setBulkComment("");
      setMessage({ ok: true, text: `${r.data.decided.length} request${r.data.decided.length === 1 ? "" : "s"} approved${r.data.decided.some((d) => d.status === "partially_approved") ? "; some wait for a second approver" : ""}.${acknowledged ? " Each approval is flagged as part of a bulk approval." : ""}` });
      await refresh();
    });

  return (
    <div className="space-y-3">
      <form role="search" aria-label="Search the queue" className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
        <div className="min-w-56 flex-1">
          <label htmlFor="approval-search" className={label}>
            Search
          </label>
          <input id="approval-search" type="search" data-testid="approval-search" placeholder="Requester, reason or item" value={text} maxLength={100} onChange={(e) => setText(e.target.value)} className={field} />
        </div>
        <p className="pb-2 text-xs text-slate-500" aria-live="polite" data-testid="approval-total" data-total={total}>
          {total} waiting{selected.size ? ` · ${selected.size} selected` : ""}
          {query.isFetching ? " · updating…" : ""}
        </p>
      </form>
      {selected.size > 0 && (
        <div data-testid="bulk-bar" className="flex flex-wrap items-end gap-2 rounded-md border border-sky-200 bg-sky-50 p-3">
          <div className="min-w-64 flex-1">
            <label htmlFor="bulk-comment" className={label}>
              Comment for all {selected.size} (optional)
            </label>
            <input id="bulk-comment" maxLength={2000} value={bulkComment} onChange={(e) => setBulkComment(e.target.value)} className={field} />
          </div>
          <button type="button" data-testid="bulk-approve" disabled={pending} className={button.primary} onClick={() => approveSelected(false)}>
            Approve {selected.size} selected
          </button>
          <button type="button" className={button.secondary} onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      <ResultLine result={message} testId="approval-message" />
      {query.isError && (
        <p role="alert" className="text-sm text-red-700">
          {query.error.message}
        </p>
      )}

      {rows.length === 0 && !query.isFetching ? (
        <div className="rounded-lg border border-slate-200 bg-white p-8 text-center" data-testid="approvals-empty">
          <p className="font-medium text-slate-800">{q ? "No waiting request matches this search" : "Nothing waits for you"}</p>
          <p className="mt-1 text-sm text-slate-600">{q ? "Try another name, item or word of the reason." : "When someone requests access you may approve, it appears here, and you are notified."}</p>
        </div>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
          <div className="flex items-center gap-3 border-b border-slate-200 bg-slate-50 px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
            <input type="checkbox" aria-label={`Select all ${rows.length} loaded requests`} data-testid="select-all" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))} />
            <span>Request and context</span>
            <span className="ml-auto hidden w-72 md:block">Decision</span>
          </div>
          <ul className="divide-y divide-slate-100">
            {rows.map((row) => (
              <li
                key={row.id}
                id={`approval-${row.id}`}
                data-testid="approval-row"
                data-request-id={row.id}
                aria-current={highlight === row.id ? "true" : undefined}
                className={`flex flex-col gap-3 px-4 py-3 md:flex-row ${highlight === row.id ? "bg-amber-50/60" : selected.has(row.id) ? "bg-sky-50" : ""}`}
              >
                <input type="checkbox" className="mt-1 self-start" aria-label={`Select ${row.ref}`} data-testid="row-select" checked={selected.has(row.id)} onChange={() => toggle(row.id)} />
                <div className="min-w-0 flex-1 space-y-2">
                  <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
                    <Link href={`/requests/${row.id}`} className="font-semibold text-slate-900 underline decoration-slate-300 hover:decoration-slate-600">
                      {row.ref}
                    </Link>
                    <span className="font-medium text-slate-800">{row.requesterLabel}</span>
                    <span className="text-slate-600">
                      asks for {row.kind === "EXTENSION" ? "an extension of " : ""}
                      <span className="font-medium text-slate-800">{row.itemName}</span> for {duration(row.durationMinutes)}
                    </span>
                    {row.escalated && <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">Escalated to you</span>}
                    {row.approvalsNeeded > 1 && (
                      <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                        {row.approvals} of {row.approvalsNeeded} approvals
                      </span>
                    )}
                  </div>
                  <p className="text-sm text-slate-800">
                    “{row.reason || "no reason given"}”{row.ticket ? <span className="text-slate-500"> · {row.ticket}</span> : null}
                  </p>
                  <p className="text-xs text-slate-500">
                    Requested {utc(row.requestedAt)} · expires undecided {utc(row.decideBy)} · you may approve as {row.myRights.join(", ")}
                  </p>
                  <Context row={row} />
                </div>
                <div className="md:w-72">
                  <RowDecision
                    row={row}
                    decide={actions.decide}
                    onDone={(r) => {
                      setMessage(r);
                      if (r.ok) {
                        setSelected((s) => new Set([...s].filter((x) => x !== row.id)));
                        void refresh();
                      }
                    }}
                  />
                </div>
              </li>
            ))}
          </ul>
          {query.hasNextPage && (
            <div className="border-t border-slate-100 p-3 text-center">
              <button type="button" data-testid="load-more" disabled={query.isFetchingNextPage} className={button.secondary} onClick={() => void query.fetchNextPage()}>
                {query.isFetchingNextPage ? "Loading…" : `Load more (${rows.length} of ${total} shown)`}
              </button>
            </div>
          )}
        </div>
      )}
      <SecondLook prompt={secondLook} pending={pending} onLookAgain={() => setSecondLook(null)} onConfirm={() => approveSelected(true)} />
    </div>
  );
}
