"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, useTransition } from "react";
import type { RequestDetail } from "@/lib/access/queries";
import type { ActionResult } from "@/lib/auth/action";
import { button, ChangeStatusBadge, duration, fetchJson, field, label, readableTimes, RequestStatusBadge, ResultLine, utc, type Wire } from "./request-bits";

type Action<I, T = unknown> = (raw: I) => Promise<ActionResult<T>>;
export interface RequestDetailActions {
  cancel: Action<{ requestId: string; reason: string }>;
  extend: Action<{ requestId: string; minutes: number; reason: string }, { requestId: string; status: string }>;
  giveBack: Action<{ requestId: string; reason: string }>;
  decide: Action<{ requestId: string; decision: "approve" | "deny"; comment: string }>;
}

export type DetailData = Wire<RequestDetail>;

const OPEN = new Set(["PENDING", "APPROVED", "ACTIVE", "ENDING"]);
const SETTLED_CHANGE = new Set(["VERIFIED", "FAILED", "UNVERIFIED", "CANCELLED"]);

/** Poll while something can still move: an open request, or a change of the pipeline not settled yet. */
const moving = (d: DetailData | undefined) => !d || OPEN.has(d.status) || [d.grantChange, d.endChange].some((c) => c && !SETTLED_CHANGE.has(c.status));
/** Every 2 s while a step is under way; every 10 s while live access merely lasts (its end, drift); not at all once settled. */
const pollEvery = (d: DetailData | undefined): number | false => {
  if (!moving(d)) return false;
  return d && d.status === "ACTIVE" && d.grantChange && SETTLED_CHANGE.has(d.grantChange.status) ? 10_000 : 2_000;
};

const EVENT_LABEL: Record<string, string> = {
  requested: "Requested",
  approval: "Approval",
  approved: "Approved",
  denied: "Denied",
  grant_requested: "Grant requested",
  grant_verified: "Grant verified",
  grant_failed: "Grant failed",
  extension_requested: "Extension requested",
  extended: "Extended",
  returned: "Given back",
  revoked: "Revoked",
  expiry_due: "Expiry due",
  end_requested: "End requested",
  end_verified: "End verified",
  ended: "Ended",
  end_failed: "End failed",
  superseded: "Superseded",
  timed_out: "Expired undecided",
  cancelled: "Withdrawn",
  reminded: "Approvers reminded",
  escalated: "Escalated",
  drift: "Drift",
  expiry_notice: "Expiry notice",
};
const EVENT_DOT: Record<string, string> = { grant_verified: "bg-emerald-600", end_verified: "bg-emerald-600", approved: "bg-emerald-600", denied: "bg-red-600", grant_failed: "bg-red-600", end_failed: "bg-red-600", drift: "bg-red-600", escalated: "bg-amber-500" };

function Fact({ term, children, testId }: { term: string; children: React.ReactNode; testId?: string }) {
  return (
    <div>
      <dt className="text-xs font-medium text-slate-500">{term}</dt>
      <dd className="text-sm text-slate-800" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

function ChangeLine({ title, change, canSeeChanges, testId }: { title: string; change: DetailData["grantChange"]; canSeeChanges: boolean; testId: string }) {
  if (!change) return null;
  return (
    <div data-testid={testId} data-state={change.status} className="flex flex-wrap items-center gap-2 text-sm">
      <span className="w-36 shrink-0 text-xs font-medium text-slate-500">{title}</span>
      <ChangeStatusBadge status={change.status} />
      {change.status === "VERIFIED" && <span className="text-xs text-slate-600">read back from PagerDuty at {utc(change.verifiedAt)}</span>}
      {canSeeChanges && (
        <Link href={`/admin/changes?change=${change.id}`} className="text-xs text-slate-600 underline">
          Change {change.id.slice(0, 8)}
        </Link>
      )}
    </div>
  );
}

/** One of the requester's or approver's actions: a button that opens a small form with a text field. */
function ActionForm({ title, textLabel, textRequired, tone, submitLabel, extra, onSubmit, testId }: {
  title: string;
  textLabel: string;
  textRequired?: boolean;
  tone: keyof typeof button;
  submitLabel: string;
  extra?: (id: string) => React.ReactNode;
  onSubmit: (text: string, form: FormData) => Promise<{ ok: boolean; text: string }>;
  testId: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  if (!open)
    return (
      <button type="button" data-testid={testId} className={button[tone === "primary" ? "primary" : "secondary"]} onClick={() => setOpen(true)}>
        {title}
      </button>
    );
  return (
    <form
      aria-label={title}
      className="w-full space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3"
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        start(async () => {
          const r = await onSubmit(text.trim(), form);
          setResult(r);
          if (r.ok) setOpen(false);
        });
      }}
    >
      {extra?.(id)}
      <div>
        <label htmlFor={`${id}-text`} className={label}>
          {textLabel}
        </label>
        <textarea id={`${id}-text`} rows={2} maxLength={2000} required={textRequired} value={text} onChange={(e) => setText(e.target.value)} className={field} />
      </div>
      <ResultLine result={result} />
      <div className="flex gap-2">
        <button type="submit" disabled={pending} className={button[tone]}>
          {pending ? "Working…" : submitLabel}
        </button>
        <button type="button" className={button.secondary} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The approver's decision on this request: approve or deny, with a comment kept in its history. */
function Decide({ requestId, decide, onDone }: { requestId: string; decide: RequestDetailActions["decide"]; onDone: (r: { ok: boolean; text: string }) => void }) {
  const id = useId();
  const [comment, setComment] = useState("");
  const [pending, start] = useTransition();
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const run = (decision: "approve" | "deny") =>
    start(async () => {
      const r = await decide({ requestId, decision, comment: comment.trim() });
      const out = r.ok ? { ok: true, text: r.message ?? "Decision recorded." } : { ok: false, text: r.error };
      setResult(out);
      onDone(out);
    });
  return (
    <div data-testid="decide" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3">
      <p className="text-sm font-medium text-amber-900">This request waits for your decision.</p>
      <label htmlFor={`${id}-comment`} className={label}>
        Comment (kept in the request&apos;s history; say why when you deny)
      </label>
      <textarea id={`${id}-comment`} rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} className={field} />
      <ResultLine result={result} />
      <div className="flex gap-2">
        <button type="button" disabled={pending} className={button.primary} onClick={() => run("approve")}>
          Approve
        </button>
        <button type="button" disabled={pending} className={button.danger} onClick={() => run("deny")}>
          Deny
        </button>
      </div>
    </div>
  );
}

/**
 * One request, followed live: its status (polled through /api/access/requests/[id] while anything can
 * still move), the changes that grant and end it in PagerDuty, drift, approvals, who may approve, the
 * policy version it was decided under, its whole history, and the actions the person may take now.
 */
export function RequestDetailView({ initial, canSeeChanges, actions }: { initial: DetailData; canSeeChanges: boolean; actions: RequestDetailActions }) {
  const client = useQueryClient();
  const key = ["access-request", initial.id] as const;
  const query = useQuery({
    queryKey: key,
    queryFn: () => fetchJson<DetailData>(`/api/access/requests/${initial.id}`, "The request"),
    initialData: initial,
    refetchInterval: (q) => pollEvery(q.state.data),
  });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const d = query.data;
  const after = async (r: ActionResult<unknown>, fallback: string) => {
    const out = r.ok ? { ok: true, text: r.message ?? fallback } : { ok: false, text: r.error };
    setMessage(out);
    await client.invalidateQueries({ queryKey: key });
    return out;
  };
  const verified = d.grantChange?.status === "VERIFIED";
  const endVerified = d.endChange?.status === "VERIFIED";

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <div className="min-w-0 space-y-6">
        <section aria-label="Status" className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
          <div className="flex flex-wrap items-center gap-3">
            <RequestStatusBadge status={d.status} endReason={d.endReason} />
            {verified && d.status === "ACTIVE" && (
              <span data-testid="verified" className="text-sm font-medium text-emerald-800">
                Verified in PagerDuty
              </span>
            )}
            {endVerified && (
              <span data-testid="end-verified" className="text-sm font-medium text-emerald-800">
                End verified in PagerDuty: the previous state is back
              </span>
            )}
            <span className="ml-auto text-xs text-slate-500" aria-live="polite">
              {query.isFetching ? "Updating…" : moving(d) ? "Following live" : `As of ${utc(new Date(query.dataUpdatedAt))}`}
            </span>
          </div>
          {d.drift && (
            <p role="alert" data-testid="drift" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
              {d.drift}
            </p>
          )}
          {query.isError && (
            <p role="alert" className="text-sm text-red-700">
              {query.error.message} Showing the last known state.
            </p>
          )}
          <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-3">
            <Fact term="Requested by">{d.requesterLabel}</Fact>
            <Fact term="Account">{d.connectionName}</Fact>
            <Fact term="Duration">{duration(d.durationMinutes)}</Fact>
            <Fact term="Requested">{utc(d.requestedAt)}</Fact>
            {d.status === "PENDING" ? <Fact term="Expires undecided">{utc(d.decideBy)}</Fact> : <Fact term="Decided">{utc(d.decidedAt)}</Fact>}
            <Fact term="Starts">{utc(d.startsAt)}</Fact>
            <Fact term={d.endedAt ? "Ended" : "Ends"} testId="ends-at">
              {utc(d.endedAt ?? d.endsAt)}
            </Fact>
            <Fact term="Before the grant">{d.priorState ?? "—"}</Fact>
            <Fact term="Ticket">{d.ticket ?? "—"}</Fact>
          </dl>
          <div>
            <p className="text-xs font-medium text-slate-500">Reason</p>
            <p className="whitespace-pre-wrap text-sm text-slate-800">{d.reason || "No reason given."}</p>
          </div>
          {(d.grantChange || d.endChange) && (
            <div className="space-y-2 border-t border-slate-100 pt-3">
              <ChangeLine title="Grant in PagerDuty" change={d.grantChange} canSeeChanges={canSeeChanges} testId="grant-change" />
              <ChangeLine title="End in PagerDuty" change={d.endChange} canSeeChanges={canSeeChanges} testId="end-change" />
            </div>
          )}
        </section>

        {(d.canCancel || d.canExtend || d.canReturn || d.canDecide) && (
          <section aria-label="Actions" className="space-y-3">
            {d.canDecide && <Decide requestId={d.id} decide={actions.decide} onDone={() => void client.invalidateQueries({ queryKey: key })} />}
            <div className="flex flex-wrap items-start gap-2">
              {d.canCancel && <ActionForm title="Withdraw request" testId="withdraw" textLabel="Why (optional)" tone="secondary" submitLabel="Withdraw" onSubmit={async (reason) => after(await actions.cancel({ requestId: d.id, reason }), "Request withdrawn.")} />}
              {d.canExtend && (
                <ActionForm
                  title="Extend…"
                  testId="extend"
                  textLabel="Reason"
                  tone="primary"
                  submitLabel="Request extension"
                  extra={(id) => (
                    <div className="max-w-xs">
                      <label htmlFor={`${id}-minutes`} className={label}>
                        Extra time (minutes)
                      </label>
                      <input id={`${id}-minutes`} name="minutes" type="number" min={5} max={d.maxExtensionMinutes} step={5} required defaultValue={Math.min(60, d.maxExtensionMinutes)} className={field} />
                      <p className="mt-1 text-xs text-slate-500">At most {duration(d.maxExtensionMinutes)} more: the policy&apos;s maximum counts from the start of the grant.</p>
                    </div>
                  )}
                  onSubmit={async (reason, form) => after(await actions.extend({ requestId: d.id, minutes: Number(form.get("minutes")), reason }), "Extension requested.")}
                />
              )}
              {d.canReturn && <ActionForm title="Give back early" testId="give-back" textLabel="Note (optional)" tone="danger" submitLabel="Give access back now" onSubmit={async (reason) => after(await actions.giveBack({ requestId: d.id, reason }), "Access given back.")} />}
            </div>
          </section>
        )}
        <ResultLine result={message} testId="request-message" />

        <section aria-labelledby="history-title" className="rounded-lg border border-slate-200 bg-white p-5">
          <h2 id="history-title" className="mb-3 text-base font-semibold text-slate-900">
            History
          </h2>
          <ol data-testid="history" className="relative space-y-3 border-l border-slate-200 pl-5">
            {d.events.map((e) => (
              <li key={e.id} data-testid="history-event" data-kind={e.kind} className="relative">
                <span aria-hidden className={`absolute -left-[1.63rem] top-1.5 h-2.5 w-2.5 rounded-full ring-2 ring-white ${EVENT_DOT[e.kind] ?? "bg-slate-400"}`} />
                <p className="text-sm">
                  <span className="font-medium text-slate-900">{EVENT_LABEL[e.kind] ?? e.kind}</span> <span className="text-xs text-slate-500">{utc(e.at)} · {e.actorLabel}</span>
                </p>
                <p className="text-sm text-slate-700">{readableTimes(e.message)}</p>
              </li>
            ))}
          </ol>
        </section>
      </div>

      <aside className="space-y-4 self-start">
        <section aria-labelledby="approvals-title" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="approvals-title" className="text-sm font-semibold text-slate-900">
            Approvals ({d.approvals.filter((a) => a.decision === "approve").length} of {d.approvalsNeeded})
          </h2>
          {d.approvals.length === 0 ? (
            <p className="mt-1 text-sm text-slate-500">None yet.</p>
          ) : (
            <ul className="mt-2 space-y-2" data-testid="approvals">
              {d.approvals.map((a) => (
                <li key={`${a.approverLabel}-${a.at}`} className="text-sm">
                  <span className={`font-medium ${a.decision === "approve" ? "text-emerald-800" : "text-red-800"}`}>{a.decision === "approve" ? "Approved" : "Denied"}</span> by {a.approverLabel}
                  <span className="block text-xs text-slate-500">
                    {utc(a.at)} · as {a.right.replaceAll("_", " ")}
                    {a.bulk ? " · bulk approval" : ""}
                  </span>
                  {a.comment && <span className="block text-slate-700">“{a.comment}”</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
        {d.status === "PENDING" && (
          <section aria-labelledby="approvers-title" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="approvers-title" className="text-sm font-semibold text-slate-900">
              Who may approve
            </h2>
            {d.approvers.length === 0 ? (
              <p className="mt-1 text-sm text-amber-800">Nobody with a portal account may approve it yet (approvers sign in to the portal to decide); unanswered, it escalates to the fallback approvers.</p>
            ) : (
              <ul className="mt-2 space-y-1 text-sm" data-testid="approvers">
                {d.approvers.map((a) => (
                  <li key={a.label}>
                    {a.label}
                    <span className="block text-xs text-slate-500">{a.rights.join(", ")}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}
        <section aria-labelledby="policy-title" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="policy-title" className="text-sm font-semibold text-slate-900" data-testid="policy-version">
            {d.status === "PENDING" ? "Requested" : "Decided"} under policy version {d.policyVersion}
          </h2>
          <p className="text-xs text-slate-500" title={d.rulesSha256}>
            sha256 {d.rulesSha256.slice(0, 12)}…
          </p>
          <ul className="mt-2 list-disc space-y-0.5 pl-4 text-xs text-slate-600">
            {d.policy.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </section>
        {d.extensions.length > 0 && (
          <section aria-labelledby="extensions-title" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="extensions-title" className="text-sm font-semibold text-slate-900">
              Extensions
            </h2>
            <ul className="mt-2 space-y-1 text-sm">
              {d.extensions.map((x) => (
                <li key={x.id} className="flex items-center justify-between gap-2">
                  <span>
                    {x.ref} · {duration(x.durationMinutes)}
                  </span>
                  <RequestStatusBadge status={x.status} />
                </li>
              ))}
            </ul>
          </section>
        )}
      </aside>
    </div>
  );
}
