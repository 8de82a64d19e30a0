"use client";

import { useQuery } from "@tanstack/react-query";
import { baseRoleLabel, teamRoleLabel } from "@/lib/pagerduty-data/roles";
import type { ItemContext, WorkspaceItem } from "@/lib/reviews/types";
import { DecisionBadge, RemediationBadge, RiskBadges, roleLabel, utcDate } from "./badges";

const ORIGIN: Record<string, string> = {
  BASELINE: "baseline (present at the first sync)",
  POLICY: "a birthright policy",
  REQUEST: "an approved request",
  REVIEW: "a certified review decision",
};

async function fetchContext(url: string): Promise<ItemContext> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  const body = (await res.json().catch(() => null)) as (ItemContext & { error?: string }) | null;
  if (!res.ok || !body) throw new Error(body?.error ?? `The item's context could not be loaded (HTTP ${res.status}).`);
  return body;
}

function Shift({ label, shift }: { label: string; shift: ItemContext["oncall"]["last"] }) {
  return (
    <div>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="text-sm text-slate-800">{shift ? `${utcDate(shift.start)} → ${shift.end ? utcDate(shift.end) : "open"}${shift.schedule ? ` · ${shift.schedule}` : ""}` : "None"}</dd>
    </div>
  );
}

const STATUS: Record<string, string> = { APPROVED: "approved, being granted", ACTIVE: "live", ENDING: "ending", ENDED: "ended" };

/** A just-in-time grant under review: the request behind it, who approved it, and whether it is still live. */
function JitRequest({ request: r }: { request: NonNullable<ItemContext["request"]> }) {
  return (
    <section aria-label="Just-in-time request" data-testid="context-request" className="rounded-md border border-sky-200 bg-sky-50 p-2 text-xs text-slate-800">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Just-in-time request</h3>
      <p className="mt-1">
        <a href={r.href} className="font-medium text-emerald-700 underline">
          {r.ref}
        </a>{" "}
        · {r.item} · {formatMinutes(r.durationMinutes)}
      </p>
      <p>
        Requested by {r.requester} at {utcDate(r.requestedAt)}
      </p>
      <p>
        Reason: <q>{r.reason}</q>
        {r.ticket ? ` · ticket ${r.ticket}` : ""}
      </p>
      <p>
        {r.startsAt ? `${utcDate(r.startsAt)} → ${utcDate(r.endsAt)}` : "Not started"} ·{" "}
        <span className={r.live ? "font-semibold text-amber-800" : ""}>
          {STATUS[r.status] ?? r.status.toLowerCase()}
          {r.endReason ? ` (${r.endReason.toLowerCase()}${r.endedAt ? ` ${utcDate(r.endedAt)}` : ""})` : ""}
        </span>
      </p>
      <ul className="mt-1 space-y-0.5">
        {r.approvals.length ? (
          r.approvals.map((a, i) => (
            <li key={i}>
              Approved{a.extension ? ` (extension ${a.extension})` : ""} by {a.approver} as {a.right.replace(/^group:.*/, "group member").replaceAll("_", " ")} at {utcDate(a.at)}
              {a.comment ? <q className="ml-1">{a.comment}</q> : null}
              {a.bulk ? " · bulk" : ""}
            </li>
          ))
        ) : (
          <li>Approved by a rule (no person).</li>
        )}
      </ul>
      <p className="mt-1 text-slate-600">Revoking a live grant ends it now in PagerDuty; revoking an ended one records the finding only.</p>
    </section>
  );
}

const formatMinutes = (total: number) => {
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  return [d ? `${d} d` : "", h ? `${h} h` : "", m ? `${m} min` : ""].filter(Boolean).join(" ") || "0 min";
};

/**
 * What a reviewer needs to decide the highlighted item: the person, their PagerDuty role and teams,
 * last and next on-call shift, whether the access came from drift, its risk badges, earlier steps, and
 * where its remediation stands.
 */
export function ContextPanel({ campaignId, item }: { campaignId: string; item: WorkspaceItem | null }) {
  const ctx = useQuery({
    queryKey: ["review-item-context", campaignId, item?.id, item?.remediation, item?.state],
    queryFn: () => fetchContext(`/api/reviews/${campaignId}/items/${item!.id}`),
    enabled: Boolean(item),
  });
  if (!item)
    return (
      <aside aria-label="Item details" className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-500">
        Pick an item (click it, or move with j and k) to see who holds the access and why.
      </aside>
    );
  const c = ctx.data;
  return (
    <aside aria-label="Item details" data-testid="context-panel" className="space-y-4 self-start rounded-lg border border-slate-200 bg-white p-4 xl:sticky xl:top-4">
      <header>
        <h2 className="text-base font-semibold text-slate-900">{item.subjectName}</h2>
        <p className="text-xs text-slate-500">{item.subjectEmail}</p>
        <p className="mt-2 text-sm text-slate-800">{item.entitlementLabel}</p>
        <div className="mt-2">
          <RiskBadges risks={item.risks} />
        </div>
      </header>
      <dl className="space-y-2">
        <div>
          <dt className="text-xs font-medium text-slate-500">Reviewer</dt>
          <dd className="text-sm text-slate-800">
            {item.reviewerName ?? "—"} <span className="block text-xs text-slate-500">{item.reviewerReason}</span>
          </dd>
        </div>
        <div>
          <dt className="text-xs font-medium text-slate-500">Decision</dt>
          <dd className="text-sm">
            {item.state === "EXCEPTION" ? (
              <span className="text-orange-800">Exception: {item.exceptionReason ?? "left undecided"}</span>
            ) : (
              <>
                <DecisionBadge decision={(item.draft ?? item.decision)?.decision ?? null} draft={Boolean(item.draft)} />
                {(item.draft ?? item.decision)?.role && <span className="ml-1 text-xs text-slate-600">to {roleLabel((item.draft ?? item.decision)!.role!)}</span>}
                {(item.draft ?? item.decision)?.justification && <q className="mt-1 block text-xs text-slate-700">{(item.draft ?? item.decision)!.justification}</q>}
              </>
            )}
          </dd>
        </div>
      </dl>

      {ctx.isError && (
        <p role="alert" className="text-sm text-red-700">
          {ctx.error.message}
        </p>
      )}
      {ctx.isPending && <p className="text-sm text-slate-500">Loading context…</p>}
      {c && (
        <>
          {c.request && <JitRequest request={c.request} />}
          <section aria-label="PagerDuty">
            <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">In PagerDuty</h3>
            <dl className="mt-1 space-y-2">
              <div>
                <dt className="text-xs font-medium text-slate-500">Base role</dt>
                <dd className="text-sm text-slate-800">
                  {c.person.baseRole ? baseRoleLabel(c.person.baseRole) : "—"}
                  {c.person.invitationPending && <span className="ml-1 text-xs text-amber-700">(invitation pending)</span>}
                </dd>
              </div>
              <div>
                <dt className="text-xs font-medium text-slate-500">Teams</dt>
                <dd className="text-sm text-slate-800">
                  {c.person.teams.length ? (
                    <ul className="space-y-0.5">
                      {c.person.teams.map((t) => (
                        <li key={t.id}>
                          {t.name} <span className="text-xs text-slate-500">({teamRoleLabel(t.role)})</span>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    "None"
                  )}
                </dd>
              </div>
              <div>
                <dt className="text-xs font-medium text-slate-500">Portal person</dt>
                <dd className="text-sm text-slate-800">{c.person.matchedPerson ? c.person.matchedPerson.name : <span className="text-amber-800">Unmatched</span>}</dd>
              </div>
              <Shift label="Last on-call shift" shift={c.oncall.last} />
              <Shift label="Next on-call shift" shift={c.oncall.next} />
            </dl>
          </section>
          {c.drift?.origin === "DRIFT" ? (
            <section aria-label="Drift" className="rounded-md border border-red-200 bg-red-50 p-2 text-xs text-red-900" data-testid="drift-flag">
              <p className="font-semibold">Came from drift: granted outside the portal</p>
              <p>
                {c.drift.actor ? `By ${c.drift.actor}` : "By an unknown actor"}
                {c.drift.method ? ` · ${c.drift.method.toLowerCase().replaceAll("_", " ")}` : ""}
                {c.drift.changedAt ? ` · ${utcDate(c.drift.changedAt)}` : ""}
              </p>
            </section>
          ) : (
            c.drift?.origin && (
              <p className="text-xs text-slate-600">
                Origin: <span className="font-medium text-slate-800">{ORIGIN[c.drift.origin] ?? c.drift.origin.toLowerCase()}</span>
              </p>
            )
          )}
          {c.history.length > 0 && (
            <section aria-label="Earlier steps">
              <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Decisions</h3>
              <ol className="mt-1 space-y-1 text-xs text-slate-700">
                {c.history.map((h) => (
                  <li key={`${h.step}-${h.decidedAt}`}>
                    Step {h.step}: <DecisionBadge decision={h.decision} /> by {h.reviewer} ({h.reviewerReason}) · {utcDate(h.decidedAt)}
                    {h.justification && <q className="block">{h.justification}</q>}
                  </li>
                ))}
              </ol>
            </section>
          )}
          {c.remediation.state !== "NONE" && (
            <section aria-label="Remediation" data-testid="context-remediation">
              <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Remediation</h3>
              <p className="mt-1">
                <RemediationBadge state={c.remediation.state} error={c.remediation.error} />
                {c.remediation.changeStatus && <span className="ml-1 text-xs text-slate-500">change {c.remediation.changeStatus.toLowerCase()}</span>}
              </p>
              <dl className="mt-1 text-xs text-slate-700">
                <div>
                  <dt className="inline font-medium">Applied: </dt>
                  <dd className="inline">{utcDate(c.remediation.appliedAt)}</dd>
                </div>
                <div>
                  <dt className="inline font-medium">Verified in PagerDuty: </dt>
                  <dd className="inline" data-testid="verified-at">{utcDate(c.remediation.verifiedAt)}</dd>
                </div>
              </dl>
              {c.remediation.error && <p className="mt-1 text-xs text-red-800">Failed: {c.remediation.error}</p>}
              {c.remediation.fix && <p className="text-xs text-slate-700">Fix: {c.remediation.fix}</p>}
            </section>
          )}
        </>
      )}
    </aside>
  );
}
