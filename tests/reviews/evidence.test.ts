/**
 * The evidence pack: CSV, JSON and PDF carry the same record (manifest, items with reviewer and why,
 * decisions with justification and times, exceptions, rubber-stamp flags, the audit-chain head) and the
 * same SHA-256, which an auditor can recompute from the JSON. Auditors and admins download; members not.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthorizationError } from "@/lib/auth/errors";
import type { Db } from "@/lib/db";
import { forceCloseCampaign } from "@/lib/reviews/campaigns";
import { saveDrafts, submitDecisions } from "@/lib/reviews/decisions";
import { evidenceExport } from "@/lib/reviews/evidence";
import { createTestDb, type TestDb } from "../support/db";
import { actorOf, launched, seedWorld, type World } from "./support";

let t: TestDb;
let db: Db;
let w: World;
let campaignId: string;
let revokedId: string;
beforeAll(async () => {
  t = await createTestDb();
  db = t.prisma;
  w = await seedWorld(db);
  ({ campaignId } = await launched(db, w));
  const items = await db.reviewItem.findMany({ where: { campaignId, reviewerId: w.manager.id }, orderBy: { seq: "asc" } });
  revokedId = items.find((i) => i.subjectPersonId === w.members[1]!.id)!.id;
  await saveDrafts(db, actorOf(w.manager), {
    campaignId,
    decisions: items.filter((i) => i.subjectPersonId).map((i) => (i.id === revokedId ? { itemId: i.id, decision: "REVOKE" as const, justification: "Left the platform team, 'moved' to \"Data\", see HR-7" } : { itemId: i.id, decision: "CERTIFY" as const })),
  });
  await submitDecisions(db, actorOf(w.manager), { campaignId, acknowledgeRubberStamp: false });
  // Pretend the pipeline verified the revocation (the remediation test runs it for real).
  const item = await db.reviewItem.findUniqueOrThrow({ where: { id: revokedId } });
  await db.changeRequest.update({ where: { id: item.changeId! }, data: { status: "VERIFIED", appliedAt: new Date("2026-11-20T10:00:00.000Z"), verifiedAt: new Date("2026-11-20T10:00:05.000Z") } });
  await forceCloseCampaign(db, actorOf(w.admin), { campaignId, reason: "Quarter ended" });
});
afterAll(async () => t?.close());

const read = async (format: "csv" | "json" | "pdf", who = w.auditor) => {
  const pack = await evidenceExport(actorOf(who), campaignId, format, db);
  return { pack, bytes: Buffer.from(await new Response(pack.body).arrayBuffer()) };
};

interface PackJson {
  header: { manifest: { sha256: string; totalItems: number } };
  items: Record<string, unknown>[];
  submissions: Record<string, unknown>[];
  footer: { auditHeadHash: string; exceptions: number };
  packSha256: string;
}

describe("evidence pack", () => {
  it("JSON: every item with reviewer, reason, decision, justification and times; the pack's SHA-256 recomputes from its records", async () => {
    const { pack, bytes } = await read("json");
    expect(pack.contentType).toMatch(/application\/json/);
    const json = JSON.parse(bytes.toString("utf8")) as PackJson;
    expect(json.items).toHaveLength(5);
    const revoked = json.items.find((i) => i.itemId === revokedId)!;
    expect(revoked).toMatchObject({
      decision: "REVOKE",
      justification: "Left the platform team, 'moved' to \"Data\", see HR-7",
      decidedBy: expect.stringContaining("Maya Manager"),
      reviewer: expect.stringContaining("Maya Manager"),
      reviewerReason: expect.stringMatching(/team manager in PagerDuty/),
      remediation: "VERIFIED",
      appliedAt: "2026-11-20T10:00:00.000Z",
      verifiedAt: "2026-11-20T10:00:05.000Z",
    });
    expect(revoked.steps).toEqual([expect.objectContaining({ step: 1, decision: "REVOKE", decidedAt: expect.any(String) })]);
    // The unmatched user's item was left undecided and became an exception at the force-close.
    expect(json.items.filter((i) => i.exception)).toHaveLength(2);
    expect(json.footer.exceptions).toBe(2);
    const head = await db.auditHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(json.footer.auditHeadHash).toBe(head.hash);
    const recomputed = createHash("sha256");
    for (const r of [json.header, ...json.items, ...json.submissions, json.footer]) recomputed.update(JSON.stringify(r) + "\n");
    expect(json.packSha256).toBe(recomputed.digest("hex"));
    expect(json.header.manifest.totalItems).toBe(5);
  });

  it("CSV: one row per item with the decision and the verified time; the same pack SHA-256 at the end", async () => {
    const { pack, bytes } = await read("csv");
    expect(pack.filename).toMatch(/^evidence-Quarterly-Platform-review-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = bytes.toString("utf8");
    const line = text.split("\n").find((l) => l.includes(revokedId))!;
    expect(line).toContain(",REVOKE,");
    expect(line).toContain("2026-11-20T10:00:05.000Z");
    expect(line).toContain('"Left the platform team, \'moved\' to ""Data"", see HR-7"');
    const json = JSON.parse((await read("json")).bytes.toString("utf8")) as PackJson;
    const shaLine = text.trim().split("\n").at(-1)!;
    expect(shaLine).toMatch(/^# pack sha256,[0-9a-f]{64}$/);
    // Each download records itself in the audit trail, so the head (and with it the pack) moves on.
    expect(text).toContain(`# audit chain head,`);
    expect(json.packSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("PDF: the extracted text holds the decision, the verified time, the head hash and the pack SHA-256", async () => {
    const { pack, bytes } = await read("pdf", w.admin);
    expect(pack.contentType).toBe("application/pdf");
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const dir = mkdtempSync(path.join(tmpdir(), "evidence-"));
    const file = path.join(dir, "pack.pdf");
    writeFileSync(file, bytes);
    const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString("utf8");
    expect(text).toContain("Decision: REVOKE");
    expect(text).toContain("verified 2026-11-20T10:00:05.000Z");
    expect(text).toMatch(/Pack SHA-256: [0-9a-f]{64}/);
    expect(text).toMatch(/Audit chain head: [0-9a-f]{64}/);
    expect(text).toContain("Undecided at force-close: Quarter ended");
  });

  it("members cannot download evidence", async () => {
    await expect(evidenceExport(actorOf(w.members[0]!), campaignId, "csv", db)).rejects.toBeInstanceOf(AuthorizationError);
  });
});
