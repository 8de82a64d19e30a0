import Link from "next/link";
import { QuickAction, ReasonAction } from "@/components/changes/change-controls";
import { EmptyState, Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { changeDetail, changeQueue } from "@/lib/changes/queries";
import type { BatchPreview, ChangeRow } from "@/lib/changes";
import { approveChangeBatch, cancelQueuedChange, rejectChangeBatch, retryFailedChange, undoAppliedChange } from "./actions";

export const metadata = { title: "Change queue" };

const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—");

const STATUS_STYLE: Record<string, string> = {
  PENDING: "bg-slate-100 text-slate-700",
  SCHEDULED: "bg-sky-50 text-sky-800",
  HELD: "bg-amber-50 text-amber-800",
  APPLYING: "bg-indigo-50 text-indigo-800",
  APPLIED: "bg-indigo-50 text-indigo-800",
  VERIFIED: "bg-emerald-50 text-emerald-800",
  FAILED: "bg-red-50 text-red-800",
  UNVERIFIED: "bg-orange-50 text-orange-800",
  CANCELLED: "bg-slate-200 text-slate-600",
};

function Status({ status }: { status: string }) {
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[status] ?? ""}`}>{status.charAt(0) + status.slice(1).toLowerCase()}</span>;
}

/** Cause ids are mostly UUIDs: the first 8 characters identify one; the whole id is in the tooltip. */
function CauseId({ id, kind }: { id: string; kind?: string }) {
  const text = (
    <span className="font-mono" title={id}>
      {id.length > 12 ? `${id.slice(0, 8)}…` : id}
    </span>
  );
  // A just-in-time grant (APPROVAL) or its end (EXPIRY) is caused by an access request: link to it.
  return kind === "APPROVAL" || kind === "EXPIRY" ? (
    <Link href={`/requests/${id}`} className="underline" aria-label={`Access request ${id}`}>
      {text}
    </Link>
  ) : (
    text
  );
}

function coverageText(warning: unknown): string | null {
  const w = warning as { reasons?: string[] } | null;
  return w?.reasons?.length ? w.reasons.join("; ") : null;
}

type Column = "when" | "error" | "actions-failed" | "actions-cancel" | "actions-undo";

function ChangeTable({ caption, rows, columns, manage }: { caption: string; rows: ChangeRow[]; columns: Column[]; manage: boolean }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2">Change</th>
            <th scope="col" className="px-4 py-2">Status</th>
            <th scope="col" className="px-4 py-2">Cause</th>
            {columns.includes("when") && <th scope="col" className="px-4 py-2">Runs at</th>}
            {columns.includes("error") && <th scope="col" className="px-4 py-2">Why, and the fix</th>}
            {manage && columns.some((c) => c.startsWith("actions")) && <th scope="col" className="px-4 py-2">Actions</th>}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((c) => (
            <tr key={c.id} className="align-top" data-testid={`change-row-${c.id}`}>
              <td className="px-4 py-3">
                <Link href={`/admin/changes?change=${c.id}#history`} className="font-medium text-slate-900 underline decoration-slate-300 hover:decoration-slate-600">
                  {c.targetLabel}
                </Link>
                <p className="text-xs text-slate-500">
                  Requested {when(c.createdAt)} by {c.requestedByLabel}
                  {c.attempts > 0 ? ` · ${c.attempts} attempt${c.attempts === 1 ? "" : "s"}` : ""}
                </p>
                {coverageText(c.coverageWarning) && <p className="mt-1 text-xs text-amber-800">Coverage: {coverageText(c.coverageWarning)}{c.overrideReason ? ` — applied anyway: ${c.overrideReason}` : ""}</p>}
              </td>
              <td className="px-4 py-3">
                <Status status={c.status} />
              </td>
              <td className="px-4 py-3 text-xs text-slate-600">
                {c.causeKind.toLowerCase().replace("_", " ")}
                <br />
                <CauseId id={c.causeId} kind={c.causeKind} />
              </td>
              {columns.includes("when") && <td className="px-4 py-3 text-xs text-slate-700">{when(c.runAt)}</td>}
              {columns.includes("error") && (
                <td className="max-w-md px-4 py-3 text-xs">
                  <p className="text-red-800">{c.lastErrorMessage ?? "—"}</p>
                  {c.suggestedFix && <p className="mt-1 text-slate-700">Fix: {c.suggestedFix}</p>}
                </td>
              )}
              {manage && columns.some((col) => col.startsWith("actions")) && (
                <td className="px-4 py-3">
                  <div className="flex flex-wrap gap-2">
                    {columns.includes("actions-failed") && c.status === "FAILED" && <QuickAction label="Retry" tone="primary" input={{ changeId: c.id }} action={retryFailedChange} testId={`retry-${c.id}`} />}
                    {(columns.includes("actions-failed") || columns.includes("actions-cancel")) && ["FAILED", "PENDING", "SCHEDULED"].includes(c.status) && (
                      <ReasonAction label="Cancel" confirmLabel="Cancel change" tone="danger" input={{ changeId: c.id }} action={cancelQueuedChange} testId={`cancel-${c.id}`} />
                    )}
                    {columns.includes("actions-undo") && (c.status === "VERIFIED" || c.status === "UNVERIFIED") && (
                      <ReasonAction
                        label="Undo"
                        confirmLabel="Request undo"
                        input={{ changeId: c.id }}
                        action={undoAppliedChange}
                        hint="A new change restores what this one replaced, through the same checks."
                        coverageChoice
                        testId={`undo-${c.id}`}
                      />
                    )}
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Section({ id, title, description, count, children, empty }: { id: string; title: string; description: string; count: number; children: React.ReactNode; empty: string }) {
  return (
    <section aria-labelledby={`${id}-title`} className="mt-8">
      <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900">
        {title} <span className="ml-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">{count}</span>
      </h2>
      <p className="mb-3 mt-1 text-sm text-slate-600">{description}</p>
      {count === 0 ? <EmptyState title={empty} /> : children}
    </section>
  );
}

function HeldBatch({ batch, manage, actorId }: { batch: BatchPreview; manage: boolean; actorId: string }) {
  const own = batch.causedBy.find((c) => c.personId === actorId);
  return (
    <article className="rounded-lg border border-amber-200 bg-white" data-testid={`held-batch-${batch.id}`}>
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-amber-100 bg-amber-50 px-4 py-3">
        <div>
          <p className="font-medium text-amber-900">{batch.heldReason ?? "Held for approval."}</p>
          <p className="text-xs text-amber-800">
            {batch.changes.length} change{batch.changes.length === 1 ? "" : "s"} · {batch.usersTouched} user{batch.usersTouched === 1 ? "" : "s"} of {batch.accountUsers || "?"} · {batch.deletions} deletion{batch.deletions === 1 ? "" : "s"} · cause {batch.causeKind.toLowerCase().replace("_", " ")} <CauseId id={batch.causeId} kind={batch.causeKind} /> · {when(batch.createdAt)}
          </p>
        </div>
        {manage && (
          <div className="flex flex-wrap items-start gap-2">
            {own ? (
              <p role="note" className="max-w-xs text-xs text-amber-900" data-testid={`self-approval-${batch.id}`}>
                You cannot approve this batch: you {own.why}. Another administrator must approve it (separation of duties).
              </p>
            ) : (
              <ReasonAction label="Approve" confirmLabel="Approve and run" tone="primary" reasonRequired={false} input={{ batchId: batch.id }} action={approveChangeBatch} testId={`approve-${batch.id}`} />
            )}
            <ReasonAction label="Reject" confirmLabel="Reject batch" tone="danger" input={{ batchId: batch.id }} action={rejectChangeBatch} hint="Every change of the batch is cancelled; PagerDuty is not touched." testId={`reject-${batch.id}`} />
          </div>
        )}
      </header>
      <details className="px-4 py-3">
        <summary className="cursor-pointer text-sm font-medium text-slate-800">Preview, change by change</summary>
        <ol className="mt-2 max-h-96 space-y-1 overflow-y-auto text-sm">
          {batch.changes.map((c) => (
            <li key={c.id} className="flex flex-wrap gap-x-3 border-b border-slate-100 py-1">
              <span className="text-slate-900">{c.targetLabel}</span>
              <span className="text-xs text-slate-500">before: {c.prior ? JSON.stringify(c.prior) : "not known"}</span>
              {coverageText(c.coverageWarning) && <span className="text-xs text-amber-800">coverage: {coverageText(c.coverageWarning)}</span>}
            </li>
          ))}
        </ol>
      </details>
    </article>
  );
}

export default async function ChangeQueuePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "change.read")) return <Forbidden what="The change queue" />;
  const params = await searchParams;
  const selected = typeof params.change === "string" ? params.change : null;
  const [queue, detail] = await Promise.all([changeQueue(actor), selected ? changeDetail(actor, selected) : null]);
  const manage = can(actor, "change.manage");

  return (
    <>
      <PageHeader
        title="Change queue"
        description="Every write to PagerDuty goes through this queue: applied once, then verified by reading PagerDuty again. Failed changes say why and how to fix them; batches that would touch too many users wait here for approval."
      />

      {selected && (
        <section id="history" aria-labelledby="history-title" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
          {detail ? (
            <>
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div>
                  <h2 id="history-title" className="text-lg font-semibold text-slate-900">
                    {detail.targetLabel}
                  </h2>
                  <p className="text-xs text-slate-500">
                    <Status status={detail.status} /> · {detail.kind.toLowerCase().replaceAll("_", " ")} · idempotency key <span className="font-mono">{detail.idempotencyKey}</span>
                    {detail.undoOfId && (
                      <>
                        {" "}· undoes <Link href={`/admin/changes?change=${detail.undoOfId}#history`} className="underline">an earlier change</Link>
                      </>
                    )}
                  </p>
                </div>
                <Link href="/admin/changes" className="text-sm text-slate-600 underline">
                  Close
                </Link>
              </div>
              <dl className="mt-3 grid gap-2 text-xs sm:grid-cols-3">
                {(
                  [
                    ["Desired", detail.desired],
                    ["Before (for undo)", detail.prior],
                    ["Last read from PagerDuty", detail.observed],
                  ] as const
                ).map(([label, value]) => (
                  <div key={label}>
                    <dt className="font-medium text-slate-700">{label}</dt>
                    <dd className="mt-1 break-all rounded bg-slate-50 p-2 font-mono text-slate-800">{value ? JSON.stringify(value) : "—"}</dd>
                  </div>
                ))}
              </dl>
              <h3 className="mt-4 text-sm font-semibold text-slate-800">History</h3>
              <ol className="mt-2 space-y-1 border-l border-slate-200 pl-4 text-sm">
                {detail.events.map((e) => (
                  <li key={e.id}>
                    <span className="text-xs text-slate-500">{when(e.at)}</span> {e.from ? `${e.from.toLowerCase()} → ` : ""}
                    <strong className="font-medium">{e.to.toLowerCase()}</strong> <span className="text-slate-700">{e.message}</span> <span className="text-xs text-slate-500">({e.actor})</span>
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <p id="history-title" role="alert" className="text-sm text-red-700">
              No change with this id. <Link href="/admin/changes" className="underline">Back to the queue</Link>
            </p>
          )}
        </section>
      )}

      <Section id="held" title="Held for approval" description="Batches the brake stopped: they would touch more than the account's share of users, or delete too many. Preview them, then approve or reject." count={queue.heldBatches.length} empty="No batch is waiting for approval">
        <div className="space-y-4">
          {queue.heldBatches.map((b) => (
            <HeldBatch key={b.id} batch={b} manage={manage} actorId={actor.personId} />
          ))}
        </div>
      </Section>

      <Section id="failing" title="Failing" description="PagerDuty refused these, or kept failing (those still retrying show their last error). A failed change holds back later changes of the same user." count={queue.failing.length} empty="Nothing is failing">
        <ChangeTable caption="Failing changes" rows={queue.failing} columns={["error", "actions-failed"]} manage={manage} />
      </Section>

      <Section id="unverified" title="Unverified" description="Sent to PagerDuty, but no read showed the result (or PagerDuty offers no read for it, like a sign-out). Check them in PagerDuty." count={queue.unverified.length} empty="Every applied change was confirmed by a read">
        <ChangeTable caption="Unverified changes" rows={queue.unverified} columns={["error", "actions-undo"]} manage={manage} />
      </Section>

      <Section id="in-flight" title="In flight" description="Being applied or verified right now." count={queue.inFlight.length} empty="Nothing is being applied right now">
        <ChangeTable caption="Changes in flight" rows={queue.inFlight} columns={[]} manage={manage} />
      </Section>

      <Section id="pending" title="Pending" description="Waiting for a worker, or for an earlier change of the same user." count={queue.pending.length} empty="Nothing is waiting">
        <ChangeTable caption="Pending changes" rows={queue.pending} columns={["actions-cancel"]} manage={manage} />
      </Section>

      <Section id="scheduled" title="Scheduled" description="Applied after the person's current on-call shift, so nobody is left without cover." count={queue.scheduled.length} empty="Nothing is scheduled">
        <ChangeTable caption="Scheduled changes" rows={queue.scheduled} columns={["when", "actions-cancel"]} manage={manage} />
      </Section>

      <Section id="recent" title="Recently finished" description="The latest verified and cancelled changes. A verified change can be undone by a new change." count={queue.recent.length} empty="No change has finished yet">
        <ChangeTable caption="Recently finished changes" rows={queue.recent} columns={["actions-undo"]} manage={manage} />
      </Section>
    </>
  );
}
