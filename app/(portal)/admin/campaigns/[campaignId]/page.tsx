import Link from "next/link";
import { notFound } from "next/navigation";
import { CampaignStatusBadge, KIND_LABEL, roleLabel, utcDate } from "@/components/reviews/badges";
import { CloseControls, LaunchControl } from "@/components/reviews/campaign-controls";
import { EvidenceLinks } from "@/components/reviews/evidence-links";
import { ProgressBars, SplitChart } from "@/components/reviews/progress-charts";
import { Forbidden, PageHeader } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import type { LinkChangeFlagRow } from "@/lib/reviews/link-flags";
import { campaignLinkChangeFlags, campaignProgress, getCampaign } from "@/lib/reviews/queries";
import type { CampaignDetail, ProgressSplit, ReviewerStep } from "@/lib/reviews/types";
import { closeCampaign, forceCloseCampaign, launchCampaign } from "../actions";

export const metadata = { title: "Review campaign" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STEP: Record<ReviewerStep["kind"], string> = { team_managers: "the team's managers", owners: "the named owners", manager: "the person's manager", people: "named people" };

function Definition({ c }: { c: CampaignDetail }) {
  const rows: [string, React.ReactNode][] = [
    ["Entitlements", c.scope.kinds.map((k) => KIND_LABEL[k]).join(", ")],
    ["Teams", c.scope.teamPdIds?.length ? `${c.scope.teamPdIds.length} chosen` : "All"],
    ["Roles", c.scope.roles?.length ? c.scope.roles.map(roleLabel).join(", ") : "All"],
    ["Only drift", c.scope.onlyDrift ? "Yes" : "No"],
    ["Reviewers", c.policy.steps.map((s, i) => `Step ${i + 1}: ${STEP[s.kind]}${s.personIds?.length ? ` (${s.personIds.length})` : ""}`).join(" · ")],
    ["Fallback reviewer", c.fallbackReviewer?.name ?? "—"],
    ["Justify high-risk certifications", c.justifyHighRisk ? "Required" : "Optional"],
    ["Recurrence", c.recurrenceMonths ? `Every ${c.recurrenceMonths} month${c.recurrenceMonths === 1 ? "" : "s"}` : "Once"],
  ];
  return (
    <dl className="grid gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-2">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt className="text-xs font-medium text-slate-500">{k}</dt>
          <dd className="text-slate-800">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Separation of duties: identity links changed while their users' access was under review. */
function LinkChangeFlags({ flags }: { flags: LinkChangeFlagRow[] }) {
  if (!flags.length) return null;
  return (
    <section aria-labelledby="link-flags-title" className="rounded-lg border border-amber-200 bg-amber-50 p-4" data-testid="link-change-flags">
      <h2 id="link-flags-title" className="text-base font-semibold text-amber-900">
        Links changed during the campaign
      </h2>
      <p className="mt-1 text-xs text-amber-900">A person ↔ PagerDuty user link changed while that user&apos;s access was in this campaign. Those items never go to the person who made the change; the evidence pack lists these flags.</p>
      <ul className="mt-2 space-y-1 text-sm text-slate-800">
        {flags.map((f) => (
          <li key={f.id}>
            <strong className="font-medium">{f.changedBy.name}</strong> changed the link of <strong className="font-medium">{f.subjectName}</strong> ({f.pdUserId}) from {f.from?.name ?? "nobody"} to {f.to?.name ?? "nobody"} · {f.itemCount} item{f.itemCount === 1 ? "" : "s"} · {utcDate(f.createdAt)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Manifest({ c }: { c: CampaignDetail }) {
  const m = c.manifest;
  if (!m) return null;
  return (
    <section aria-labelledby="manifest-title" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="manifest">
      <h2 id="manifest-title" className="text-base font-semibold text-slate-900">
        Population manifest
      </h2>
      <p className="mt-1 text-xs text-slate-600">
        Frozen {utcDate(m.launchedAt)} by {m.launchedBy} · {m.totalItems} items · SHA-256 <span className="break-all font-mono">{m.sha256}</span>
      </p>
      {m.period && (
        <p className="mt-1 text-xs text-slate-600" data-testid="manifest-period">
          Period reviewed (just-in-time grants, request history): {utcDate(m.period.from)} to {utcDate(m.period.to)} · {m.period.basis === "previous_occurrence" ? "since the previous occurrence's launch" : "the 90 days before a first campaign's launch"}
        </p>
      )}
      {m.staleOverrideReason && <p className="mt-2 rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-900">Launched on stale data: {m.staleOverrideReason}</p>}
      <div className="mt-3 grid gap-4 lg:grid-cols-2">
        <table className="text-xs">
          <caption className="mb-1 text-left font-medium text-slate-700">Counts reconciled against the synced totals</caption>
          <thead className="text-left text-slate-500">
            <tr>
              <th scope="col" className="py-1 font-medium">Kind</th>
              <th scope="col" className="py-1 text-right font-medium">Items</th>
              <th scope="col" className="py-1 text-right font-medium">Out of scope</th>
              <th scope="col" className="py-1 text-right font-medium">Synced total</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {m.counts.map((k) => (
              <tr key={k.kind}>
                <td className="py-1">{KIND_LABEL[k.kind]}</td>
                <td className="py-1 text-right tabular-nums">{k.items}</td>
                <td className="py-1 text-right tabular-nums">{k.outOfScope}</td>
                <td className="py-1 text-right tabular-nums">{k.syncedTotal}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="space-y-2 text-xs">
          <p className="font-medium text-slate-700">Accounts and their sync</p>
          <ul className="space-y-1">
            {m.connections.map((x) => (
              <li key={x.id}>
                {x.name}: synced {utcDate(x.syncedAt)}
                {x.stale && <span className="ml-1 text-amber-800">(stale: {x.staleReason ?? "old data"})</span>}
              </li>
            ))}
          </ul>
          <p className="font-medium text-slate-700">Flagged</p>
          <p>
            {m.flags.pendingInvitations} pending invitations · {m.flags.unmatchedIdentities} unmatched identities · {m.flags.apiOnlyUsers} API-only users · {m.flags.drift} from drift
          </p>
        </div>
      </div>
    </section>
  );
}

function splits(p: ProgressSplit) {
  return {
    decisions: [
      { label: "Certified", value: p.certified },
      { label: "Revoked", value: p.revoked },
      { label: "Modified", value: p.modified },
      { label: "Undecided", value: p.remaining },
      { label: "Exception", value: p.exceptions },
    ],
    remediation: [
      { label: "Pending", value: p.remediation.pending },
      { label: "Verified", value: p.remediation.verified },
      { label: "Failed", value: p.remediation.failed },
      { label: "Manual", value: p.remediation.manual },
    ],
  };
}

/** One campaign for administrators (launch, progress, close) and auditors (progress and evidence). */
export default async function CampaignPage({ params }: { params: Promise<{ campaignId: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "evidence.read")) return <Forbidden what="Review campaigns" />;
  const { campaignId } = await params;
  if (!UUID.test(campaignId)) notFound();
  const [c, progress, linkFlags] = await Promise.all([getCampaign(actor, campaignId), campaignProgress(actor, campaignId), campaignLinkChangeFlags(actor, campaignId)]);
  if (!c) notFound();
  const s = progress ? splits(progress) : null;
  return (
    <>
      <PageHeader
        title={c.name}
        description={c.description || undefined}
        actions={
          <div className="flex flex-col items-end gap-1 text-sm">
            <CampaignStatusBadge status={c.status} overdue={c.overdue} />
            <span className="text-xs text-slate-600">Due {utcDate(c.dueAt)}</span>
            <Link href="/admin/campaigns" className="text-xs text-slate-600 underline">
              All campaigns
            </Link>
          </div>
        }
      />
      <div className="space-y-6">
        {c.status === "DRAFT" && (
          <section aria-label="Launch" className="rounded-lg border border-sky-200 bg-sky-50 p-4">
            <p className="mb-3 text-sm text-sky-900">A draft: launching freezes every in-scope grant into the campaign with a manifest and a SHA-256, assigns reviewers and notifies them.</p>
            {c.can.manage ? <LaunchControl campaignId={c.id} action={launchCampaign} /> : <p className="text-sm text-slate-600">An administrator launches it.</p>}
          </section>
        )}
        <Definition c={c} />
        <Manifest c={c} />
        <LinkChangeFlags flags={linkFlags} />

        {progress && s && c.status !== "DRAFT" && (
          <section aria-labelledby="progress-title" className="space-y-4" data-testid="campaign-progress">
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <h2 id="progress-title" className="text-lg font-semibold text-slate-900">
                Progress
              </h2>
              <p className="text-sm text-slate-700">
                {progress.decided} of {progress.total} decided · {progress.remaining} remaining{progress.overdue ? " · overdue" : ""}
                {progress.rubberStampSubmissions > 0 && <span className="ml-2 rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800">{progress.rubberStampSubmissions} batch{progress.rubberStampSubmissions === 1 ? "" : "es"} flagged as rubber stamps</span>}
              </p>
            </div>
            <div className="grid gap-4 md:grid-cols-2">
              <SplitChart title="Decisions" slices={s.decisions} testId="chart-decisions" />
              <SplitChart title="Remediation of revocations and changes" slices={s.remediation} testId="chart-remediation" />
            </div>
            <div className="grid gap-4 lg:grid-cols-2">
              <ProgressBars title="By reviewer" testId="chart-reviewers" rows={progress.byReviewer.map((r) => ({ label: r.reviewerName, decided: r.decided, remaining: r.remaining, overdue: r.overdue ? r.remaining : 0 }))} />
              <ProgressBars title="By team" testId="chart-teams" rows={progress.byTeam.map((t) => ({ label: t.teamName, decided: t.decided, remaining: t.remaining, overdue: progress.overdue ? t.remaining : 0 }))} />
            </div>
            <p className="text-sm">
              <Link href={`/reviews/${c.id}`} className="font-medium text-emerald-800 underline">
                See every item
              </Link>
            </p>
          </section>
        )}

        {c.status === "ACTIVE" && c.can.manage && (
          <section aria-label="Close" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 className="mb-2 text-base font-semibold text-slate-900">Close</h2>
            <p className="mb-3 text-sm text-slate-600">A campaign closes once every item is decided and every revocation is verified in PagerDuty. After closing, the campaign and its evidence cannot change.</p>
            <CloseControls campaignId={c.id} close={closeCampaign} forceClose={forceCloseCampaign} />
          </section>
        )}
        {c.status === "CLOSED" && (
          <p role="note" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
            Closed {utcDate(c.closedAt)}
            {c.forceClosed ? ` by force: ${c.closeReason ?? "no reason given"}` : ""}. The campaign and its evidence are locked.
          </p>
        )}

        {c.status !== "DRAFT" && c.can.exportEvidence && (
          <section aria-labelledby="evidence-title" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="evidence-title" className="mb-2 text-base font-semibold text-slate-900">
              Evidence pack
            </h2>
            <EvidenceLinks campaignId={c.id} closed={c.status === "CLOSED"} />
          </section>
        )}
      </div>
    </>
  );
}
