import "server-only";
/**
 * The evidence pack of a campaign, streamed as CSV, JSON or PDF (memory stays flat at any size: items are
 * read in keyset pages and written as they come). Every format carries the same records: the population
 * manifest, every item with its reviewer and why, each step decision, justification and time,
 * remediation with applied and verified times, exceptions, rubber-stamp flags, the request history of the
 * campaign's period (every just-in-time request with its approvals, grant and end changes and their
 * verified times: lib/reviews/jit.ts), the audit-chain head hash, and the pack's own SHA-256.
 *
 * The pack's SHA-256 is computed over its canonical records: the JSON text of the header, of each item,
 * of each submission and of the footer (without the hash), each followed by "\n". The JSON format holds
 * exactly those texts (in `header`, `items[]`, `submissions[]`, `footer`), so an auditor can recompute it
 * (re-serialise each with JSON.stringify, join with newlines) and compare it with the CSV's and the PDF's.
 * The request history rides in the footer record (`requestHistory`, `requestSummary`), so that recipe is
 * unchanged by it.
 * The CSV escapes cells a spreadsheet would run as formulas (lib/export/csv.ts); the hash is over the
 * records, never over escaped text, and `unescapeCell` gives each CSV cell's recorded value back.
 */
import { createHash } from "node:crypto";
import PDFDocument from "pdfkit";
import { appendAudit } from "@/lib/audit";
import { can } from "@/lib/auth/access";
import { AuthenticationError, AuthorizationError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import { getDb, type Db } from "@/lib/db";
import { csvText } from "@/lib/export/csv";
import { personActor } from "./campaigns";
import { ReviewRefused } from "./guard";
import { emptySummary, periodOfCampaign, requestHistory, summaryText, type RequestHistoryRecord, type RequestHistorySummary, type ReviewPeriod } from "./jit";
import { linkChangeFlags, type LinkChangeFlagRow } from "./link-flags";
import { reviewNow } from "./options";
import { refreshRemediation } from "./remediation";
import type { EvidenceFormat, PopulationManifest } from "./types";

export interface EvidencePack {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

export interface EvidenceItem {
  seq: number;
  itemId: string;
  connectionId: string;
  kind: string;
  subject: string;
  subjectEmail: string;
  pdUserId: string | null;
  entitlement: string;
  role: string | null;
  team: string | null;
  grantOrigin: string | null;
  risks: string[];
  reviewer: string | null;
  reviewerReason: string;
  steps: { step: number; decision: string; role: string | null; justification: string | null; reviewer: string; reviewerReason: string; decidedAt: string }[];
  decision: string | null;
  decisionRole: string | null;
  justification: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  remediation: string;
  changeId: string | null;
  appliedAt: string | null;
  verifiedAt: string | null;
  remediationError: string | null;
  exception: string | null;
  rubberStamp: boolean;
}

const PAGE = 1_000;

export async function evidenceExport(actor: Actor | null, campaignId: string, format: EvidenceFormat, db?: Db): Promise<EvidencePack> {
  if (!actor) throw new AuthenticationError();
  if (!can(actor, "evidence.read")) throw new AuthorizationError("Only administrators and auditors can download evidence.");
  const d = db ?? (await getDb());
  const campaign = await d.reviewCampaign.findUnique({ where: { id: campaignId } });
  if (!campaign) throw new ReviewRefused("No such campaign.");
  if (campaign.status === "DRAFT") throw new ReviewRefused("The campaign has not been launched: there is no evidence yet.");
  if (campaign.status === "ACTIVE") await refreshRemediation(d, campaign.id);
  const now = reviewNow();
  // The export itself is recorded, then the chain head (which includes that record) goes into the pack.
  await d.$transaction((tx) => appendAudit(tx, { actor: personActor(actor), action: "review.evidence_exported", target: { type: "review_campaign", id: campaign.id }, after: { format } }));
  const head = await d.auditHead.findUnique({ where: { id: 1 } });
  const header = {
    // 2: the footer carries the period's request history (requestHistory, requestSummary); the hash recipe is unchanged.
    packFormat: "pagerduty-access-review-evidence/2",
    generatedAt: now.toISOString(),
    generatedBy: `${actor.name} <${actor.email}>`,
    campaign: {
      id: campaign.id,
      name: campaign.name,
      description: campaign.description,
      status: campaign.status,
      dueAt: campaign.dueAt.toISOString(),
      launchedAt: campaign.launchedAt?.toISOString() ?? null,
      closedAt: campaign.closedAt?.toISOString() ?? null,
      forceClosed: campaign.forceClosed,
      closeReason: campaign.closeReason,
      scope: campaign.scope,
      policy: campaign.policy,
      fallbackReviewerId: campaign.fallbackReviewerId,
      justifyHighRisk: campaign.justifyHighRisk,
    },
    manifest: campaign.manifest as unknown as PopulationManifest,
    /** Separation of duties: person ↔ PagerDuty user links changed during the campaign for users with items in it. */
    linkChangeFlags: await linkChangeFlags(d, campaign.id),
  };
  const period = await periodOfCampaign(d, campaign);
  const records = evidenceRecords(d, campaign.id, header, head?.hash ?? "", Number(head?.seq ?? 0), { connectionIds: campaign.connectionIds, period });
  const stem = `evidence-${campaign.name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "campaign"}-${now.toISOString().slice(0, 10)}`;
  switch (format) {
    case "csv":
      return { filename: `${stem}.csv`, contentType: "text/csv; charset=utf-8", body: textStream(csvChunks(records)) };
    case "json":
      return { filename: `${stem}.json`, contentType: "application/json; charset=utf-8", body: textStream(jsonChunks(records)) };
    case "pdf":
      return { filename: `${stem}.pdf`, contentType: "application/pdf", body: pdfStream(records) };
  }
}

type Header = Record<string, unknown> & { manifest: PopulationManifest; linkChangeFlags: LinkChangeFlagRow[]; campaign: { name: string; id: string; status: string; dueAt: string; forceClosed: boolean; closeReason: string | null } };
type Footer = {
  items: number;
  decided: number;
  exceptions: number;
  rubberStampSubmissions: number;
  /** Items of kind JIT_GRANT (just-in-time grants live during the period, frozen at launch). */
  jitItems: number;
  /** The period's request history, by request number (lib/reviews/jit.ts requestHistory). */
  requestHistory: RequestHistoryRecord[];
  requestSummary: RequestHistorySummary | null;
  requestHistoryNote: string;
  auditHeadHash: string;
  auditHeadSeq: number;
};
type Submission = { id: string; reviewer: string; count: number; certified: number; revoked: number; modified: number; rubberStamp: boolean; rubberStampReason: string | null; acknowledged: boolean; submittedAt: string };
type EvidenceRecord = { type: "header"; value: Header; text: string } | { type: "item"; value: EvidenceItem; text: string } | { type: "submission"; value: Submission; text: string } | { type: "footer"; value: Footer; text: string; sha256: string };

/** The canonical records in order; the footer carries the SHA-256 over all records before it and itself. */
async function* evidenceRecords(db: Db, campaignId: string, header: Header, headHash: string, headSeq: number, scope: { connectionIds: string[]; period: ReviewPeriod | null }): AsyncGenerator<EvidenceRecord> {
  const hash = createHash("sha256");
  const emit = <T>(value: T) => {
    const text = JSON.stringify(value);
    hash.update(text + "\n");
    return text;
  };
  yield { type: "header", value: header, text: emit(header) };
  const names = new Map<string, string>();
  const nameOf = async (ids: (string | null)[]) => {
    const missing = [...new Set(ids.filter((i): i is string => !!i && !names.has(i)))];
    if (missing.length) for (const p of await db.person.findMany({ where: { id: { in: missing } }, select: { id: true, name: true, email: true } })) names.set(p.id, `${p.name} <${p.email}>`);
  };
  let after = 0;
  let count = 0;
  let decided = 0;
  let exceptions = 0;
  let jitItems = 0;
  for (;;) {
    const rows = await db.reviewItem.findMany({ where: { campaignId, seq: { gt: after } }, orderBy: { seq: "asc" }, take: PAGE });
    if (!rows.length) break;
    const steps = await db.reviewDecision.findMany({ where: { itemId: { in: rows.map((r) => r.id) } }, orderBy: [{ decidedAt: "asc" }, { step: "asc" }] });
    await nameOf([...rows.flatMap((r) => [r.reviewerId, r.decidedById]), ...steps.map((s) => s.reviewerId)]);
    const stepsOf = new Map<string, typeof steps>();
    for (const s of steps) stepsOf.set(s.itemId, [...(stepsOf.get(s.itemId) ?? []), s]);
    for (const r of rows) {
      const item: EvidenceItem = {
        seq: r.seq,
        itemId: r.id,
        connectionId: r.connectionId,
        kind: r.kind,
        subject: r.subjectName,
        subjectEmail: r.subjectEmail,
        pdUserId: r.pdUserId,
        entitlement: r.entitlementLabel,
        role: r.role,
        team: r.teamName,
        grantOrigin: r.grantOrigin,
        risks: r.risks,
        reviewer: r.reviewerId ? (names.get(r.reviewerId) ?? r.reviewerId) : null,
        reviewerReason: r.reviewerReason,
        steps: (stepsOf.get(r.id) ?? []).map((s) => ({ step: s.step, decision: s.decision, role: s.role, justification: s.justification, reviewer: names.get(s.reviewerId) ?? s.reviewerId, reviewerReason: s.reviewerReason, decidedAt: s.decidedAt.toISOString() })),
        decision: r.decision,
        decisionRole: r.decisionRole,
        justification: r.justification,
        decidedBy: r.decidedById ? (names.get(r.decidedById) ?? r.decidedById) : null,
        decidedAt: r.decidedAt?.toISOString() ?? null,
        remediation: r.remediation,
        changeId: r.changeId,
        appliedAt: r.appliedAt?.toISOString() ?? null,
        verifiedAt: r.verifiedAt?.toISOString() ?? null,
        remediationError: r.remediationError,
        exception: r.exceptionReason ?? (r.state === "EXCEPTION" ? "Undecided at close" : null),
        rubberStamp: r.rubberStamp,
      };
      count++;
      if (r.state === "DECIDED") decided++;
      if (item.exception) exceptions++;
      if (r.kind === "JIT_GRANT") jitItems++;
      yield { type: "item", value: item, text: emit(item) };
    }
    after = rows.at(-1)!.seq;
    if (rows.length < PAGE) break;
  }
  const subs = await db.reviewSubmission.findMany({ where: { campaignId }, orderBy: { submittedAt: "asc" } });
  await nameOf(subs.map((s) => s.reviewerId));
  let stamps = 0;
  for (const s of subs) {
    if (s.rubberStamp) stamps++;
    const value: Submission = { id: s.id, reviewer: names.get(s.reviewerId) ?? s.reviewerId, count: s.count, certified: s.certified, revoked: s.revoked, modified: s.modified, rubberStamp: s.rubberStamp, rubberStampReason: s.rubberStampReason, acknowledged: s.acknowledged, submittedAt: s.submittedAt.toISOString() };
    yield { type: "submission", value, text: emit(value) };
  }
  // The period's request history (a period's requests, held while the footer is written; the items above stream).
  const summary = scope.period ? emptySummary(scope.period) : null;
  const history: RequestHistoryRecord[] = [];
  if (summary) for await (const r of requestHistory(db, campaignId, scope.connectionIds, summary.period, summary)) history.push(r);
  const footer: Footer = {
    items: count,
    decided,
    exceptions,
    rubberStampSubmissions: stamps,
    jitItems,
    requestHistory: history,
    requestSummary: summary,
    requestHistoryNote: summary ? summaryText(summary) : "The campaign has not been launched: it has no period yet.",
    auditHeadHash: headHash,
    auditHeadSeq: headSeq,
  };
  const text = emit(footer);
  yield { type: "footer", value: footer, text, sha256: hash.digest("hex") };
}

function textStream(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // A few hundred records per pull keeps chunks large and memory flat.
        let buf = "";
        for (;;) {
          const next = await chunks.next();
          if (next.done) {
            if (buf) controller.enqueue(encoder.encode(buf));
            controller.close();
            return;
          }
          buf += next.value;
          if (buf.length > 64 * 1024) break;
        }
        controller.enqueue(encoder.encode(buf));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  }, { highWaterMark: 1 });
}

export const CSV_COLUMNS = [
  "seq", "item_id", "connection_id", "kind", "subject", "subject_email", "pd_user_id", "entitlement", "role", "team", "grant_origin", "risks", "reviewer", "reviewer_reason", "step_decisions",
  "decision", "decision_role", "justification", "decided_by", "decided_at", "remediation", "change_id", "applied_at", "verified_at", "remediation_error", "exception", "rubber_stamp",
] as const;

/** The request history's columns in the CSV (after the items, in the footer's section). */
export const REQUEST_CSV_COLUMNS = [
  "request_ref", "request_id", "connection_id", "kind", "extends", "requester", "requester_pd_user_id", "item", "entitlement_key", "duration_minutes", "reason", "ticket", "policy_version", "policy_rules_sha256",
  "status", "requested_at", "decided_at", "starts_at", "ends_at", "approvals", "grant_change_id", "grant_change_status", "grant_verified_at", "grant_observed",
  "end_reason", "ended_at", "ended_by", "end_change_id", "end_change_status", "end_verified_at", "end_observed", "review_item_seq", "history",
] as const;

function requestCsvRow(q: RequestHistoryRecord): (string | number)[] {
  return [
    q.ref, q.requestId, q.connectionId, q.kind, q.extends ?? "", q.requester, q.requesterPdUserId, q.item.name, q.item.entitlementKey, q.durationMinutes, q.reason, q.ticket ?? "", q.policyVersion, q.policyRulesSha256 ?? "",
    q.status, q.requestedAt, q.decidedAt ?? "", q.startsAt ?? "", q.endsAt ?? "", JSON.stringify(q.approvals), q.grant?.changeId ?? "", q.grant?.status ?? "", q.grant?.verifiedAt ?? "", q.grant?.observed ? JSON.stringify(q.grant.observed) : "",
    q.end?.reason ?? "", q.end?.endedAt ?? "", q.end?.endedBy ?? "", q.end?.changeId ?? "", q.end?.status ?? "", q.end?.verifiedAt ?? "", q.end?.observed ? JSON.stringify(q.end.observed) : "", q.reviewItemSeq ?? "", JSON.stringify(q.history),
  ];
}

const changeState = (c: { status: string | null; verifiedAt: string | null }): string => (c.verifiedAt ? `verified ${c.verifiedAt}` : (c.status?.toLowerCase() ?? "unknown"));

/** One flag in words, the same in the CSV and the PDF. */
function linkChangeText(f: LinkChangeFlagRow): string {
  return `${f.changedBy.name} changed the PagerDuty link of ${f.subjectName} (${f.pdUserId}) from ${f.from?.name ?? "nobody"} to ${f.to?.name ?? "nobody"} while ${f.itemCount} item(s) were in review; those items never go to ${f.changedBy.name}`;
}

async function* csvChunks(records: AsyncGenerator<EvidenceRecord>): AsyncGenerator<string> {
  for await (const r of records) {
    if (r.type === "header") {
      const m = r.value.manifest;
      yield csvText([
        ["# evidence pack", r.value.packFormat as string],
        ["# campaign", r.value.campaign.name, r.value.campaign.id, `status ${r.value.campaign.status}`, `due ${r.value.campaign.dueAt}`],
        ["# generated", r.value.generatedAt as string, r.value.generatedBy as string],
        ["# population sha256", m?.sha256 ?? ""],
        ["# manifest", JSON.stringify(m ?? null)],
        ...(r.value.campaign.forceClosed ? [["# force-closed", r.value.campaign.closeReason ?? ""]] : []),
        ...r.value.linkChangeFlags.map((f) => ["# link changed during the campaign", linkChangeText(f), f.pdUserId, f.changedBy.id, f.createdAt]),
      ]);
      yield csvText([[...CSV_COLUMNS]]);
    } else if (r.type === "item") {
      const i = r.value;
      yield csvText([[i.seq, i.itemId, i.connectionId, i.kind, i.subject, i.subjectEmail, i.pdUserId ?? "", i.entitlement, i.role ?? "", i.team ?? "", i.grantOrigin ?? "", i.risks.join(" "), i.reviewer ?? "", i.reviewerReason, JSON.stringify(i.steps), i.decision ?? "", i.decisionRole ?? "", i.justification ?? "", i.decidedBy ?? "", i.decidedAt ?? "", i.remediation, i.changeId ?? "", i.appliedAt ?? "", i.verifiedAt ?? "", i.remediationError ?? "", i.exception ?? "", i.rubberStamp ? "yes" : ""]]);
    } else if (r.type === "submission") {
      const s = r.value;
      yield csvText([["# submission", s.id, s.reviewer, s.submittedAt, `count ${s.count}`, `certified ${s.certified}`, `revoked ${s.revoked}`, `modified ${s.modified}`, s.rubberStamp ? `RUBBER STAMP: ${s.rubberStampReason ?? ""}${s.acknowledged ? " (submitted after the second-look prompt)" : ""}` : ""]]);
    } else {
      const f = r.value;
      const s = f.requestSummary;
      yield csvText([
        ["# totals", `items ${f.items}`, `decided ${f.decided}`, `exceptions ${f.exceptions}`, `rubber-stamp submissions ${f.rubberStampSubmissions}`, `just-in-time grant items ${f.jitItems}`],
        ["# request history", f.requestHistoryNote],
        ...(s
          ? [["# request totals", `period ${s.period.from} to ${s.period.to}`, `requests ${s.requests}`, `grants ${s.grants}`, `extensions ${s.extensions}`, `approvals ${s.approvals}`, `bulk approvals ${s.bulkApprovals}`, `grants verified ${s.grantsVerified}`, `ended ${s.ended}`, `ends verified ${s.endsVerified}`, `still live ${s.stillLive}`, `reviewed as items ${s.reviewedAsItems}`]]
          : []),
        [...REQUEST_CSV_COLUMNS],
        ...f.requestHistory.map(requestCsvRow),
        ["# audit chain head", f.auditHeadHash, `seq ${f.auditHeadSeq}`],
        ["# pack sha256", r.sha256],
      ]);
    }
  }
}

async function* jsonChunks(records: AsyncGenerator<EvidenceRecord>): AsyncGenerator<string> {
  let section: EvidenceRecord["type"] | null = null;
  let first = true;
  for await (const r of records) {
    if (r.type === "header") {
      yield `{"header":${r.text},"items":[`;
      section = "item";
      continue;
    }
    if (r.type !== section) {
      // items → submissions → footer
      if (r.type === "submission") yield `],"submissions":[`;
      if (r.type === "footer" && section === "item") yield `],"submissions":[`;
      section = r.type;
      first = true;
    }
    if (r.type === "footer") {
      yield `],"footer":${r.text},"packSha256":${JSON.stringify(r.sha256)}}\n`;
      return;
    }
    yield (first ? "" : ",") + r.text;
    first = false;
  }
}

function pdfStream(records: AsyncGenerator<EvidenceRecord>): ReadableStream<Uint8Array> {
  const doc = new PDFDocument({ size: "A4", margin: 40, bufferPages: false, compress: true, info: { Title: "Access review evidence pack" } });
  let done = false;
  let failed: unknown = null;
  const queue: Uint8Array[] = [];
  let dataReady: (() => void) | null = null;
  let drained: (() => void) | null = null;
  const signalData = () => {
    const f = dataReady;
    dataReady = null;
    f?.();
  };
  doc.on("data", (chunk: Buffer) => {
    queue.push(new Uint8Array(chunk));
    signalData();
  });
  doc.on("end", () => {
    done = true;
    signalData();
  });
  const write = async () => {
    const line = (text: string, size = 8, bold = false) => {
      doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(size).text(text, { width: 515 });
    };
    for await (const r of records) {
      if (r.type === "header") {
        const h = r.value;
        line("Access review evidence pack", 16, true);
        line(`${h.campaign.name} (${h.campaign.id})`, 11, true);
        line(`Status ${h.campaign.status} · due ${h.campaign.dueAt}${h.campaign.forceClosed ? ` · force-closed: ${h.campaign.closeReason ?? ""}` : ""}`, 9);
        line(`Generated ${String(h.generatedAt)} by ${String(h.generatedBy)}`, 9);
        const m = h.manifest;
        if (m) {
          doc.moveDown(0.5);
          line("Population manifest", 11, true);
          line(`Launched ${m.launchedAt} by ${m.launchedBy} · ${m.totalItems} items · snapshot SHA-256 ${m.sha256}`);
          for (const c of m.connections) line(`Account ${c.name}: sync run ${c.syncRunId ?? "none"} at ${c.syncedAt ?? "never"}${c.stale ? ` (stale: ${c.staleReason})` : ""}`);
          if (m.staleOverrideReason) line(`Launched on stale data; reason: ${m.staleOverrideReason}`);
          for (const c of m.counts) line(`${c.kind}: ${c.items} in scope of ${c.syncedTotal} synced (${c.outOfScope} out of scope)`);
          line(`Flags: ${m.flags.pendingInvitations} pending invitations, ${m.flags.unmatchedIdentities} unmatched identities, ${m.flags.apiOnlyUsers} API-only users, ${m.flags.drift} drift grants`);
        }
        if (h.linkChangeFlags.length) {
          doc.moveDown(0.5);
          line("Links changed during the campaign (separation of duties)", 11, true);
          for (const f of h.linkChangeFlags) line(`${f.createdAt}: ${linkChangeText(f)}`);
        }
        doc.moveDown(0.5);
        line("Items", 11, true);
      } else if (r.type === "item") {
        const i = r.value;
        line(`#${i.seq} ${i.subject} <${i.subjectEmail}> · ${i.entitlement}${i.risks.length ? ` · risks: ${i.risks.join(", ")}` : ""}`, 8, true);
        line(`Reviewer: ${i.reviewer ?? "none"} (${i.reviewerReason})`);
        for (const s of i.steps) line(`Step ${s.step}: ${s.decision}${s.role ? ` → ${s.role}` : ""} by ${s.reviewer} at ${s.decidedAt}${s.justification ? ` — "${s.justification}"` : ""}`);
        line(`Decision: ${i.decision ?? "none"}${i.decisionRole ? ` → ${i.decisionRole}` : ""}${i.decidedAt ? ` at ${i.decidedAt}` : ""}${i.justification ? ` · justification: ${i.justification}` : ""}`);
        if (i.remediation !== "NONE") line(`Remediation: ${i.remediation}${i.appliedAt ? ` · applied ${i.appliedAt}` : ""}${i.verifiedAt ? ` · verified ${i.verifiedAt}` : ""}${i.remediationError ? ` · ${i.remediationError}` : ""}`);
        if (i.exception) line(`Exception: ${i.exception}`);
        if (i.rubberStamp) line("Flag: submitted in a batch flagged as a rubber stamp");
      } else if (r.type === "submission") {
        const s = r.value;
        if (s.rubberStamp) line(`Rubber-stamp flag: ${s.reviewer} submitted ${s.count} at ${s.submittedAt}: ${s.rubberStampReason ?? ""}${s.acknowledged ? " (after the second-look prompt)" : ""}`, 8, true);
      } else {
        const f = r.value;
        doc.moveDown(0.5);
        line("Totals", 11, true);
        line(`${f.items} items · ${f.decided} decided · ${f.exceptions} exceptions · ${f.rubberStampSubmissions} rubber-stamp submissions`);
        line(`${f.jitItems} just-in-time grant item(s)`);
        doc.moveDown(0.5);
        line("Request history of the period", 11, true);
        line(f.requestHistoryNote);
        for (const q of f.requestHistory) {
          doc.moveDown(0.2);
          line(`${q.ref} (${q.kind.toLowerCase()}${q.extends ? ` of ${q.extends}` : ""}) · ${q.item.name} [${q.item.entitlementKey}] · ${q.status}${q.reviewItemSeq !== null ? ` · reviewed as item #${q.reviewItemSeq}` : ""}`, 8, true);
          line(`Requested by ${q.requester} (${q.requesterPdUserId}) at ${q.requestedAt} for ${q.durationMinutes} min · reason: ${q.reason}${q.ticket ? ` · ticket ${q.ticket}` : ""}`);
          line(`Policy version ${q.policyVersion} · rules SHA-256 ${q.policyRulesSha256 ?? "unknown"}${q.startsAt ? ` · access from ${q.startsAt} to ${q.endsAt ?? "?"}` : ""}`);
          for (const a of q.approvals) line(`${a.decision === "approve" ? "Approved" : "Denied"} by ${a.approver} (${a.right}) at ${a.at}${a.comment ? ` — "${a.comment}"` : ""}${a.bulk ? " · part of a bulk approval" : ""}`);
          if (q.grant) line(`Grant: change ${q.grant.changeId} · ${changeState(q.grant)}${q.grant.observed ? ` · observed ${JSON.stringify(q.grant.observed)}` : ""}`);
          if (q.end) line(`End: ${q.end.reason ?? "?"} at ${q.end.endedAt ?? "?"}${q.end.endedBy ? ` by ${q.end.endedBy}` : ""} · ${q.end.changeId ? `change ${q.end.changeId} · ${changeState(q.end)}` : "no change needed in PagerDuty"}${q.end.observed ? ` · observed ${JSON.stringify(q.end.observed)}` : ""}`);
          // Let the consumer catch up between requests too (the history can be long).
          while (queue.length > 64) await new Promise<void>((res) => (drained = res));
        }
        doc.moveDown(0.5);
        line(`Audit chain head: ${f.auditHeadHash} (seq ${f.auditHeadSeq})`);
        line(`Pack SHA-256: ${r.sha256}`, 8, true);
      }
      // Let the consumer catch up: pdfkit pushes without back-pressure.
      while (queue.length > 64) await new Promise<void>((res) => (drained = res));
    }
    doc.end();
  };
  const writing = write().catch((error: unknown) => {
    failed = error;
    done = true;
    signalData();
  });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (!queue.length && !done) await new Promise<void>((res) => (dataReady = res));
      if (failed) {
        controller.error(failed);
        return;
      }
      const chunk = queue.shift();
      if (queue.length <= 64) {
        const f = drained;
        drained = null;
        f?.();
      }
      if (chunk) controller.enqueue(chunk);
      else if (done) {
        await writing;
        controller.close();
      }
    },
  });
}
