/**
 * Just-in-time grants under review (issue #12, item 6), end to end on a real database and the simulator
 * over HTTP: grants live during the campaign's period become JIT_GRANT items (not those that ended before
 * it); whoever approved a grant never reviews it; revoking a live grant ends it in PagerDuty through the
 * access lifecycle (verified) and the item mirrors that end; revoking an ended grant changes nothing; the
 * evidence pack carries the period's request history (approvals, grant verified, end verified) and its
 * SHA-256 still recomputes by the documented recipe. A next occurrence reviews the period since the
 * previous launch.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequest } from "@/lib/access/requests";
import { decideRequest } from "@/lib/access/decide";
import { createRequestInput } from "@/lib/access/schemas";
import { reassignItems } from "@/lib/reviews/assign";
import { createCampaign, createNextOccurrence, launchCampaign } from "@/lib/reviews/campaigns";
import { saveDrafts, submitDecisions } from "@/lib/reviews/decisions";
import { evidenceExport } from "@/lib/reviews/evidence";
import { configureReviews } from "@/lib/reviews/options";
import { itemContext, workspacePage } from "@/lib/reviews/queries";
import type { RequestHistoryRecord } from "@/lib/reviews/jit";
import type { PopulationManifest } from "@/lib/reviews/types";
import type { Actor } from "@/lib/auth/session";
import { actorOf, person, personOfPdUser, startAccessWorld, stopAccessWorld, teamItem, tickUntil, type AccessWorld } from "../access/support";

let w: AccessWorld;
let manager: Actor;
let r1: Actor;
let r2: Actor;
let reviewer: Actor;
let auditor: Actor;
let teamId: string;
let r1PdId: string;
const req: Record<"old" | "live" | "ended" | "denied", string> = { old: "", live: "", ended: "", denied: "" };
let campaignId: string;

const MIN = 60_000;

async function statusOf(id: string, status: string) {
  return tickUntil(w, async () => {
    const r = await w.db.accessRequest.findUniqueOrThrow({ where: { id } });
    return r.status === status ? r : null;
  });
}

async function grant(itemId: string, requester: Actor, minutes: number, reason: string): Promise<string> {
  const { requestId } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: minutes, reason, ticket: "INC-42" }));
  await decideRequest(w.db, manager, { requestId, decision: "approve", comment: `ok for ${reason}` });
  await statusOf(requestId, "ACTIVE");
  return requestId;
}

async function freshSync() {
  const at = new Date(w.clock.now);
  await w.db.syncRun.create({ data: { id: crypto.randomUUID(), connectionId: w.connectionId, kind: "FULL", trigger: "MANUAL", status: "SUCCEEDED", phase: "done", startedAt: at, progressAt: at, finishedAt: at } });
  await w.db.pagerDutyConnection.update({ where: { id: w.connectionId }, data: { lastSuccessfulSyncAt: at, lastSyncAt: at } });
}

beforeAll(async () => {
  w = await startAccessWorld();
  configureReviews({ now: () => w.clock.now, smtpUrl: null });
  const s = w.sim.state;
  // A team with a manager (the approver) and two users off it, on no escalation policy (no coverage hold on removal).
  for (const team of s.teamsOrdered()) {
    const m = [...s.data.memberships.values()].find((x) => x.teamId === team.id && x.role === "manager");
    const outsiders = s.usersOrdered().filter((u) => !u.role.startsWith("read_only") && u.role !== "owner" && !s.membership(team.id, u.id) && s.policiesTargetingUser(u.id).length === 0);
    if (m && outsiders.length >= 2) {
      teamId = team.id;
      manager = await personOfPdUser(w, m.userId);
      r1PdId = outsiders[0]!.id;
      r1 = await personOfPdUser(w, outsiders[0]!.id);
      r2 = await personOfPdUser(w, outsiders[1]!.id);
      break;
    }
  }
  reviewer = actorOf(await person(w.db, { label: "Rita Reviewer" }));
  auditor = actorOf(await person(w.db, { label: "Otto Auditor", roles: ["AUDITOR", "MEMBER"] }));
  const managerRole = await teamItem(w, teamId, "manager");
  const responderRole = await teamItem(w, teamId, "responder");

  // Before the period: a grant that started and ended more than 90 days before launch.
  req.old = await grant(managerRole.itemId, r1, 60, "old incident");
  w.clock.advance(61 * MIN);
  await statusOf(req.old, "ENDED");
  w.clock.advance(100 * 86_400_000);

  // In the period: one grant still live at launch, one that expired (verified), one request denied.
  req.live = await grant(managerRole.itemId, r1, 480, "database migration");
  req.ended = await grant(managerRole.itemId, r2, 60, "incident INC-42");
  w.clock.advance(61 * MIN);
  await statusOf(req.ended, "ENDED");
  w.clock.advance(MIN);
  const denied = await createRequest(w.db, r2, createRequestInput.parse({ itemId: responderRole.itemId, durationMinutes: 60, reason: "curious", ticket: "" }));
  req.denied = denied.requestId;
  await decideRequest(w.db, manager, { requestId: req.denied, decision: "deny", comment: "no need" });

  w.clock.advance(MIN);
  await freshSync();
  const { campaignId: id } = await createCampaign(w.db, w.admin, {
    name: "JIT review",
    description: "",
    connectionIds: [w.connectionId],
    scope: { kinds: ["JIT_GRANT"] },
    policy: { steps: [{ kind: "team_managers" }] },
    fallbackReviewerId: reviewer.personId,
    justifyHighRisk: false,
    dueAt: new Date(w.clock.now + 14 * 86_400_000),
    recurrenceMonths: 3,
  });
  campaignId = id;
  await launchCampaign(w.db, w.admin, { campaignId });
}, 180_000);

afterAll(async () => {
  configureReviews();
  await stopAccessWorld(w);
});

const itemOf = (requestId: string) => w.db.reviewItem.findFirstOrThrow({ where: { campaignId, grantId: requestId } });

describe("just-in-time grants in review campaigns", () => {
  it("freezes every grant live during the period (first campaign: 90 days) as a JIT_GRANT item, not older ones nor denied requests", async () => {
    const items = await w.db.reviewItem.findMany({ where: { campaignId }, orderBy: { seq: "asc" } });
    expect(items.map((i) => i.grantId).sort()).toEqual([req.live, req.ended].sort());
    const live = await itemOf(req.live);
    const r = await w.db.accessRequest.findUniqueOrThrow({ where: { id: req.live } });
    expect(live).toMatchObject({ kind: "JIT_GRANT", subjectPersonId: r1.personId, pdUserId: r1PdId, entitlementKey: `team:${teamId}:manager`, role: "manager", teamPdId: teamId, grantOrigin: "REQUEST" });
    expect(live.entitlementLabel).toContain(`REQ-${r.number}`);
    expect(live.entitlementLabel).toContain("8 h");
    expect(live.entitlementLabel).toContain(`approved by ${manager.name}`);
    expect(live.entitlementLabel).toMatch(/live until /);
    expect((await itemOf(req.ended)).entitlementLabel).toMatch(/ended .* \(expired\)$/);
    const c = await w.db.reviewCampaign.findUniqueOrThrow({ where: { id: campaignId } });
    const m = c.manifest as unknown as PopulationManifest;
    expect(m.period).toMatchObject({ basis: "first_campaign_90_days", to: c.launchedAt!.toISOString(), from: new Date(c.launchedAt!.getTime() - 90 * 86_400_000).toISOString() });
    expect(m.counts).toEqual([{ kind: "JIT_GRANT", items: 2, syncedTotal: 2, outOfScope: 0 }]);
  });

  it("the approver of a grant never reviews it: not assigned (though the team's manager), cannot decide it, cannot receive it", async () => {
    const live = await itemOf(req.live);
    // The team's managers are the approver and the holder (a manager through this very grant): neither may review it.
    expect(live.reviewerId).toBe(reviewer.personId);
    expect(live.reviewerReason).toMatch(/team manager in PagerDuty → fallback reviewer/);
    expect((await itemOf(req.ended)).reviewerId).not.toBe(manager.personId);
    await expect(saveDrafts(w.db, manager, { campaignId, decisions: [{ itemId: live.id, decision: "CERTIFY" }] })).rejects.toThrow(/You approved this just-in-time grant: separation of duties/);
    await expect(reassignItems(w.db, w.admin, { campaignId, itemIds: [live.id], toPersonId: manager.personId, reason: "manager knows best" }, true)).rejects.toThrow(/approved the just-in-time grant under review/);
    expect((await w.db.reviewItem.findUniqueOrThrow({ where: { id: live.id } })).reviewerId).toBe(reviewer.personId);
    const page = await workspacePage(reviewer, { campaignId, view: "mine" }, w.db);
    expect(page.items.find((i) => i.id === live.id)).toMatchObject({ decidable: true, requestId: req.live, modifyRoles: [] });
    const ctx = await itemContext(reviewer, live.id, w.db);
    expect(ctx?.request).toMatchObject({ id: req.live, href: `/requests/${req.live}`, live: true, reason: "database migration", ticket: "INC-42", approvals: [expect.objectContaining({ approver: expect.stringContaining(manager.name), right: "team_manager", comment: "ok for database migration", bulk: false })] });
  });

  it("revoking a live grant ends it in PagerDuty (verified) and the item mirrors it; revoking an ended one records the finding only", async () => {
    const live = await itemOf(req.live);
    const ended = await itemOf(req.ended);
    expect(w.sim.state.membership(teamId, r1PdId)?.role).toBe("manager");
    w.clock.advance(MIN); // the review happens after the launch
    await saveDrafts(w.db, reviewer, { campaignId, decisions: [{ itemId: live.id, decision: "REVOKE", justification: "Migration finished, no longer needed" }] });
    expect(await submitDecisions(w.db, reviewer, { campaignId, acknowledgeRubberStamp: false })).toMatchObject({ submitted: true, revoked: 1, remediations: 1 });
    // The ended grant's reviewer: a team manager in PagerDuty who is neither its requester nor its approver.
    const endedReviewer = actorOf((await w.db.person.findUniqueOrThrow({ where: { id: ended.reviewerId! } })));
    expect([manager.personId, r2.personId]).not.toContain(endedReviewer.personId);
    await saveDrafts(w.db, endedReviewer, { campaignId, decisions: [{ itemId: ended.id, decision: "REVOKE", justification: "Should not have been granted" }] });
    expect(await submitDecisions(w.db, endedReviewer, { campaignId, acknowledgeRubberStamp: false })).toMatchObject({ submitted: true, revoked: 1, remediations: 0 });

    const afterLive = await w.db.reviewItem.findUniqueOrThrow({ where: { id: live.id } });
    const ending = await w.db.accessRequest.findUniqueOrThrow({ where: { id: req.live } });
    expect(ending).toMatchObject({ status: "ENDING", endReason: "REVOKED", endedById: reviewer.personId });
    expect(afterLive).toMatchObject({ remediation: "PENDING", changeId: ending.endChangeId });
    const change = await w.db.changeRequest.findUniqueOrThrow({ where: { id: ending.endChangeId! } });
    expect(change.causeKind).toBe("EXPIRY");

    const afterEnded = await w.db.reviewItem.findUniqueOrThrow({ where: { id: ended.id } });
    expect(afterEnded).toMatchObject({ state: "DECIDED", decision: "REVOKE", remediation: "NONE", changeId: null, remediationError: null });
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id: req.ended } })).endReason).toBe("EXPIRED");

    await statusOf(req.live, "ENDED");
    expect(w.sim.state.membership(teamId, r1PdId)).toBeFalsy();
    const page = await workspacePage(reviewer, { campaignId, view: "mine" }, w.db);
    const mirrored = page.items.find((i) => i.id === live.id)!;
    expect(mirrored.remediation).toBe("VERIFIED");
    expect(mirrored.verifiedAt).toBeTruthy();
    const events = await w.db.accessRequestEvent.findMany({ where: { requestId: req.live }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.kind).slice(-2)).toEqual(["end_requested", "end_verified"]);
    expect(events.at(-2)!.message).toContain("Migration finished, no longer needed");
  });

  it("the evidence pack lists the period's request history with approvals, grant verified and end verified; its SHA-256 recomputes", async () => {
    const pack = await evidenceExport(auditor, campaignId, "json", w.db);
    const json = JSON.parse(Buffer.from(await new Response(pack.body).arrayBuffer()).toString("utf8")) as {
      header: Record<string, unknown>;
      items: Record<string, unknown>[];
      submissions: Record<string, unknown>[];
      footer: { jitItems: number; requestHistory: RequestHistoryRecord[]; requestSummary: Record<string, unknown>; requestHistoryNote: string };
      packSha256: string;
    };
    const recomputed = createHash("sha256");
    for (const r of [json.header, ...json.items, ...json.submissions, json.footer]) recomputed.update(JSON.stringify(r) + "\n");
    expect(json.packSha256).toBe(recomputed.digest("hex"));

    const history = json.footer.requestHistory;
    expect(history.map((h) => h.requestId)).toEqual([req.live, req.ended, req.denied]);
    const live = history[0]!;
    expect(live).toMatchObject({ kind: "GRANT", status: "ENDED", reason: "database migration", ticket: "INC-42", durationMinutes: 480, policyVersion: 1, policyRulesSha256: expect.stringMatching(/^[0-9a-f]{64}$/), reviewItemSeq: expect.any(Number) });
    expect(live.item.entitlementKey).toBe(`team:${teamId}:manager`);
    expect(live.approvals).toEqual([expect.objectContaining({ decision: "approve", approver: expect.stringContaining(manager.name), right: "team_manager", comment: "ok for database migration", bulk: false })]);
    expect(live.grant).toMatchObject({ status: "VERIFIED", verifiedAt: expect.any(String) });
    expect(live.end).toMatchObject({ reason: "REVOKED", endedBy: expect.stringContaining(reviewer.name), status: "VERIFIED", verifiedAt: expect.any(String) });
    expect(live.history.map((e) => e.kind)).toEqual(expect.arrayContaining(["requested", "approval", "grant_verified", "end_requested", "end_verified"]));
    const ended = history[1]!;
    expect(ended.end).toMatchObject({ reason: "EXPIRED", endedBy: "portal", status: "VERIFIED", verifiedAt: expect.any(String) });
    expect(history[2]).toMatchObject({ status: "DENIED", grant: null, end: null, reviewItemSeq: null, approvals: [expect.objectContaining({ decision: "deny", comment: "no need" })] });
    expect(json.footer.jitItems).toBe(2);
    expect(json.footer.requestSummary).toMatchObject({ requests: 3, grants: 3, extensions: 0, approvals: 2, grantsVerified: 2, ended: 2, endsVerified: 2, endReasons: { REVOKED: 1, EXPIRED: 1 }, stillLive: 0, reviewedAsItems: 2, byStatus: { ENDED: 2, DENIED: 1 } });
    expect(json.footer.requestHistoryNote).toMatch(/^3 request\(s\) in the period/);

    const csv = Buffer.from(await new Response((await evidenceExport(auditor, campaignId, "csv", w.db)).body).arrayBuffer()).toString("utf8");
    expect(csv).toContain("# request totals,");
    expect(csv).toMatch(/\nrequest_ref,request_id,/);
    const row = csv.split("\n").find((l) => l.startsWith(`${live.ref},${req.live},`))!;
    expect(row).toContain(",REVOKED,");
    expect(row).toContain(live.end!.verifiedAt!);
    expect(row).toContain(live.grant!.verifiedAt!);
    expect(csv.trim().split("\n").at(-1)).toMatch(/^# pack sha256,[0-9a-f]{64}$/);

    const pdf = Buffer.from(await new Response((await evidenceExport(auditor, campaignId, "pdf", w.db)).body).arrayBuffer());
    const file = path.join(mkdtempSync(path.join(tmpdir(), "jit-evidence-")), "pack.pdf");
    writeFileSync(file, pdf);
    // The PDF wraps long lines where the names and ids of this run fall (even after a hyphen of an id):
    // compare the text with its line breaks undone.
    const text = execFileSync("pdftotext", [file, "-"]).toString("utf8").replace(/-\s+/g, "-").replace(/\s+/g, " ");
    expect(text).toContain("Request history of the period");
    expect(text).toContain(`${live.ref} (grant)`);
    expect(text).toMatch(/End: REVOKED at [\s\S]*?· change [0-9a-f-]+ · verified /);
    expect(text).toMatch(/Approved by [\s\S]*?\(team_manager\)/);
  });

  it("a next occurrence reviews the period since the previous launch: the grant revoked after it is in, the one ended before is not", async () => {
    const previous = await w.db.reviewCampaign.findUniqueOrThrow({ where: { id: campaignId } });
    const nextId = await w.db.$transaction((tx) => createNextOccurrence(tx, campaignId, new Date(w.clock.now)));
    w.clock.advance(MIN);
    await freshSync();
    await launchCampaign(w.db, w.admin, { campaignId: nextId! });
    const next = await w.db.reviewCampaign.findUniqueOrThrow({ where: { id: nextId! } });
    expect((next.manifest as unknown as PopulationManifest).period).toMatchObject({ basis: "previous_occurrence", from: previous.launchedAt!.toISOString(), to: next.launchedAt!.toISOString() });
    const items = await w.db.reviewItem.findMany({ where: { campaignId: nextId! } });
    expect(items.map((i) => i.grantId)).toEqual([req.live]);
    expect(items[0]!.entitlementLabel).toMatch(/ended .* \(revoked\)$/);
  });
});
