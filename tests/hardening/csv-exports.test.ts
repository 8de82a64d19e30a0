/**
 * EXPORTS: every CSV the portal serves (the audit trail, a review evidence pack) escapes the six leading
 * characters a spreadsheet runs as a formula, on real data in a real database: PagerDuty users renamed
 * "=HYPERLINK(…)" & co. in the simulator and synced, a justification, audit events and a request id. The
 * escaping is reversible, so the recorded hashes still verify over the bytes served: the evidence pack's
 * SHA-256 recomputes from the JSON served, its CSV cells give back the records' values, and every audit
 * event's hash recomputes from the CSV up to the chain head recorded on its first line. Exports start
 * from a POST: a GET answers 405 and writes nothing; a cross-site POST or a member is refused, also
 * without writing.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock, request } from "../auth/support/request";
import { setupAuthTestDb } from "../auth/support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import * as auditExportRoute from "@/app/(portal)/audit/export/route";
import * as evidenceRoute from "@/app/api/reviews/[campaignId]/evidence/route";
import { eventHash, GENESIS_HASH, recordAudit } from "@/lib/audit";
import { unescapeCell } from "@/lib/export/csv";
import { PortalRole, type Person } from "@/lib/generated/prisma/client";
import { createCampaign, launchCampaign } from "@/lib/reviews/campaigns";
import { saveDrafts, submitDecisions } from "@/lib/reviews/decisions";
import { CSV_COLUMNS } from "@/lib/reviews/evidence";
import type { RunningSimulator } from "@/simulator";
import { worldFingerprint } from "../auth/support/actions";
import { createPerson, signInAs } from "../auth/support/fixtures";
import { actorOf } from "../reviews/support";
import { connect, pd, startSim, sync } from "../sync/support";
import { FORMULA_NAMES, parseCsv, startsFormula } from "./support";

process.env.DEMO_MODE = "true";

const JUSTIFICATION = '=HYPERLINK("http://evil.example","Certified")';
const REQUEST_ID = "=1+2+cmd|'/C.calc'!A0";

let sim: RunningSimulator;
let admin: Person;
let auditor: Person;
let member: Person;
let campaignId: string;
const testDb = setupAuthTestDb();
const db = () => testDb().prisma;

beforeAll(async () => {
  sim = await startSim({ seed: 5, size: { users: 16, teams: 2, schedules: 1, escalationPolicies: 1 } });
  admin = await createPerson(db(), { roles: [PortalRole.ADMIN] });
  auditor = await createPerson(db(), { roles: [PortalRole.AUDITOR] });
  member = await createPerson(db(), { roles: [PortalRole.MEMBER] });
  // Someone renames six PagerDuty users (team members) in PagerDuty; the portal syncs them.
  const owner = [...sim.state.data.users.values()].find((u) => u.role === "owner")?.id;
  const inTeams = [...new Set([...sim.state.data.memberships.values()].map((m) => m.userId))].filter((id) => id !== owner);
  expect(inTeams.length).toBeGreaterThanOrEqual(FORMULA_NAMES.length);
  for (const [i, name] of FORMULA_NAMES.entries()) {
    const res = await pd(sim, `/users/${inTeams[i]}`, { method: "PUT", body: { user: { type: "user", name } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const connectionId = await connect(db(), sim);
  expect(await sync(db(), connectionId, { kind: "FULL" })).toMatchObject({ status: "SUCCEEDED" });
  for (const name of FORMULA_NAMES) expect(await db().pdUser.count({ where: { connectionId, name } }), JSON.stringify(name)).toBe(1);

  ({ campaignId } = await createCampaign(db(), actorOf(admin), {
    name: "Formula review",
    description: "",
    connectionIds: [connectionId],
    scope: { kinds: ["BASE_ROLE", "TEAM_MEMBER"] },
    policy: { steps: [{ kind: "team_managers" }] },
    fallbackReviewerId: admin.id,
    justifyHighRisk: false,
    dueAt: new Date(Date.now() + 14 * 86_400_000),
    recurrenceMonths: null,
  }));
  await launchCampaign(db(), actorOf(admin), { campaignId });
  // The fallback reviewer certifies one renamed user's access with a justification that is a formula too.
  const item = await db().reviewItem.findFirstOrThrow({ where: { campaignId, subjectName: FORMULA_NAMES[0], reviewerId: admin.id } });
  await saveDrafts(db(), actorOf(admin), { campaignId, decisions: [{ itemId: item.id, decision: "CERTIFY", justification: JUSTIFICATION }] });
  expect(await submitDecisions(db(), actorOf(admin), { campaignId, itemIds: [item.id], acknowledgeRubberStamp: false })).toMatchObject({ submitted: true });

  // Audit events whose label and reason start with each prefix.
  for (const [i, name] of FORMULA_NAMES.entries()) {
    await recordAudit(db(), { actor: { type: "person", id: admin.id, label: name }, action: "test.formula_recorded", target: { type: "test", id: `formula-${i}` }, reason: name, requestId: null, clientIp: null });
  }
});
afterAll(async () => {
  await sim?.close();
});

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({ method: "POST", body: new URLSearchParams(fields), headers });

async function postEvidence(format: string, headers: Record<string, string> = {}) {
  return evidenceRoute.POST(new Request(`http://localhost/api/reviews/${campaignId}/evidence`, form({ format }, headers)), { params: Promise.resolve({ campaignId }) });
}

async function postAudit(fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return auditExportRoute.POST(new Request("http://localhost/audit/export", form(fields, headers)));
}

function expectNoFormulaCell(rows: string[][]) {
  const bad = rows.flatMap((row, r) => row.map((cell, c) => ({ r, c, cell })).filter((x) => startsFormula(x.cell)));
  expect(bad, "cells a spreadsheet would run").toEqual([]);
}

describe("CSV exports escape formula cells", () => {
  it("the evidence pack CSV: each renamed PagerDuty user and the justification are written as text, and unescape to what was recorded", async () => {
    await signInAs(db(), auditor.id);
    const res = await postEvidence("csv");
    expect(res.status).toBe(200);
    const rows = parseCsv(await res.text());
    expectNoFormulaCell(rows);
    const subject = CSV_COLUMNS.indexOf("subject");
    const justification = CSV_COLUMNS.indexOf("justification");
    for (const name of FORMULA_NAMES) {
      const cells = rows.filter((row) => row[subject] === `'${name}`);
      expect(cells.length, `rows of ${JSON.stringify(name)}`).toBeGreaterThanOrEqual(2); // base role and team membership
      expect(unescapeCell(cells[0]![subject]!)).toBe(name);
    }
    const decided = rows.filter((row) => row[justification] === `'${JUSTIFICATION}`);
    expect(decided).toHaveLength(1);

    // The same records as the JSON pack, cell for cell once unescaped (the pack's hash is over those records).
    await signInAs(db(), auditor.id);
    const json = (await (await postEvidence("json")).json()) as { items: Record<string, unknown>[] };
    const itemId = CSV_COLUMNS.indexOf("item_id");
    for (const item of json.items) {
      const row = rows.find((r) => r[itemId] === item.itemId)!;
      expect(unescapeCell(row[subject]!)).toBe(item.subject);
      expect(unescapeCell(row[justification]!)).toBe(item.justification ?? "");
      expect(unescapeCell(row[CSV_COLUMNS.indexOf("entitlement")]!)).toBe(item.entitlement);
    }
  });

  it("the evidence pack's recorded SHA-256 verifies over the JSON bytes served, and its chain head is the head after the export", async () => {
    await signInAs(db(), auditor.id);
    const res = await postEvidence("json");
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const pack = JSON.parse(bytes.toString("utf8")) as { header: object; items: { subject: string }[]; submissions: object[]; footer: { auditHeadHash: string; auditHeadSeq: number }; packSha256: string };
    // The records are served verbatim: recomputing over their text as served gives the recorded hash.
    const recomputed = createHash("sha256");
    for (const r of [pack.header, ...pack.items, ...pack.submissions, pack.footer]) {
      const text = JSON.stringify(r);
      expect(bytes.includes(Buffer.from(text, "utf8"))).toBe(true);
      recomputed.update(text + "\n");
    }
    expect(pack.packSha256).toBe(recomputed.digest("hex"));
    expect(pack.items.map((i) => i.subject)).toEqual(expect.arrayContaining([...FORMULA_NAMES]));
    const head = await db().auditHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(pack.footer).toMatchObject({ auditHeadHash: head.hash, auditHeadSeq: Number(head.seq) });
    expect(await db().auditEvent.findFirstOrThrow({ where: { seq: head.seq } })).toMatchObject({ action: "review.evidence_exported", actorId: auditor.id });
  });

  it("the audit trail CSV: labels, reasons and a request id are written as text, and every event's hash recomputes from the file up to the recorded head", async () => {
    await signInAs(db(), auditor.id);
    request.headers.set("x-request-id", REQUEST_ID);
    const res = await postAudit();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-trail-.*\.csv"$/);
    const [header, chainHead, ...events] = parseCsv(await res.text());
    expectNoFormulaCell([header!, chainHead!, ...events]);
    const col = (name: string) => header!.indexOf(name);
    expect(chainHead![col("seq")]).toBe("#chain-head");
    for (const name of FORMULA_NAMES) {
      const row = events.find((e) => unescapeCell(e[col("actorLabel")]!) === name)!;
      expect(row, JSON.stringify(name)).toBeDefined();
      expect(row[col("reason")]).toBe(`'${name}`);
    }
    // The export records itself, with the request id (a formula too), and it is the last event in the file.
    const last = events.at(-1)!;
    expect(last[col("action")]).toBe("audit.exported");
    expect(last[col("requestId")]).toBe(`'${REQUEST_ID}`);

    const value = (row: string[], name: string) => unescapeCell(row[col(name)]!);
    const nullable = (row: string[], name: string) => value(row, name) || null;
    const json = (row: string[], name: string) => (value(row, name) ? (JSON.parse(value(row, name)) as unknown) : null);
    let prev = GENESIS_HASH;
    for (const [i, row] of events.entries()) {
      expect(value(row, "seq")).toBe(String(i + 1));
      expect(value(row, "prevHash")).toBe(prev);
      const hash = eventHash(prev, {
        seq: BigInt(value(row, "seq")),
        id: value(row, "id"),
        at: new Date(value(row, "at")),
        actorType: value(row, "actorType"),
        actorId: nullable(row, "actorId"),
        actorLabel: value(row, "actorLabel"),
        action: value(row, "action"),
        targetType: value(row, "targetType"),
        targetId: nullable(row, "targetId"),
        accountId: nullable(row, "accountId"),
        before: json(row, "before"),
        after: json(row, "after"),
        reason: nullable(row, "reason"),
        requestId: nullable(row, "requestId"),
        clientIp: nullable(row, "clientIp"),
      });
      expect(hash, `event #${i + 1} recomputed from the CSV`).toBe(value(row, "hash"));
      prev = hash;
    }
    expect(value(chainHead!, "hash")).toBe(prev);
    expect(value(chainHead!, "actorLabel")).toBe(`head seq ${events.length}`);
  });

  it("the audit CSV honours the export form's filters", async () => {
    await signInAs(db(), auditor.id);
    const [header, , ...events] = parseCsv(await (await postAudit({ action: "test.formula", q: "", actor: "Tab Bed" })).text());
    expect(events.map((e) => unescapeCell(e[header!.indexOf("reason")]!))).toEqual([FORMULA_NAMES[4]]);
  });
});

describe("exports start from a POST", () => {
  const cases: Array<[string, () => Promise<Response>, number, RegExp]> = [
    ["GET /audit/export", async () => auditExportRoute.GET(), 405, /POST form/],
    ["GET evidence", async () => evidenceRoute.GET(), 405, /POST form/],
    ["a cross-site POST /audit/export (Origin)", () => postAudit({}, { origin: "https://evil.example" }), 403, /another site/],
    ["a cross-site POST evidence (Sec-Fetch-Site)", () => postEvidence("csv", { "sec-fetch-site": "cross-site" }), 403, /another site/],
    ["an evidence format that does not exist", () => postEvidence("xlsx"), 400, /format must be/],
    ["a NUL in an audit filter", () => postAudit({ q: "a\u0000b" }), 400, /q: Text must not contain the NUL character/],
    ["a date that is not a date", () => postAudit({ from: "yesterday" }), 400, /From must be a date/],
  ];
  for (const [label, call, status, message] of cases) {
    it(`${label}: ${status} with a message, nothing written`, async () => {
      await signInAs(db(), auditor.id);
      const before = await worldFingerprint(db());
      const res = await call();
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
      expect(await worldFingerprint(db())).toBe(before);
    });
  }

  it("a member's POSTs are refused (403) and write nothing", async () => {
    await signInAs(db(), member.id);
    const before = await worldFingerprint(db());
    expect((await postAudit()).status).toBe(403);
    expect((await postEvidence("csv")).status).toBe(403);
    expect(await worldFingerprint(db())).toBe(before);
  });

  it("a same-site POST from the portal's own page exports", async () => {
    await signInAs(db(), auditor.id);
    const res = await postEvidence("csv", { origin: "http://localhost", host: "localhost", "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});
