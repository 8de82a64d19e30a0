/**
 * Connections end to end through the server actions (authenticate → validate → authorize → service),
 * against a PagerDuty account over real HTTP (tests/connections/support/pagerduty.ts), on a real database.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock } from "../auth/support/request";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import * as actions from "@/app/(portal)/admin/connections/actions";
import { worldFingerprint } from "../auth/support/actions";
import { createPerson } from "../auth/support/fixtures";
import { createTestDb, type TestDb } from "../support/db";
import { describeCapabilities, rotationStatus } from "@/lib/connections/capabilities";
import { openCredential } from "@/lib/connections/credential";
import { listConnections, getConnection, rotationWarnings } from "@/lib/connections/queries";
import { reencryptAllCredentials } from "@/lib/connections/reencrypt";
import { keyId, sealedWithKeyId } from "@/lib/crypto";
import { env } from "@/lib/config/env";
import { PortalRole, type Person } from "@/lib/generated/prisma/client";
import { GRANTED_SCOPES, KEYS, OAUTH, startPagerDuty, type PagerDuty } from "./support/pagerduty";
import { okConnection, signInFresh } from "./support/actions";

process.env.DEMO_MODE = "true"; // demo mode's fixed encryption key and sign-in secret

let t: TestDb;
let pd: PagerDuty;
let admin: Person;
let owner: Person;
let n = 0;

beforeAll(async () => {
  t = await createTestDb();
  pd = await startPagerDuty();
  admin = await createPerson(t.prisma, { roles: [PortalRole.ADMIN] });
  owner = await createPerson(t.prisma, { name: "Olivia Owner" });
});
afterAll(async () => {
  await pd?.close();
  await t?.close();
});

const asAdmin = () => signInFresh(t.prisma, admin.id);
const ok = okConnection;

const base = () => ({ name: `Acme ${++n}`, subdomain: "acme", region: "US", apiBaseUrl: pd.url, ownerPersonId: owner.id, purpose: "Sync users and teams for access reviews" });

async function create(extra: Record<string, unknown>) {
  await asAdmin();
  return actions.createConnection({ ...base(), ...extra });
}

/** Every audit event, every DTO, and a dump of every table must be free of the plaintext. */
async function everywhere(): Promise<string> {
  const events = await t.prisma.auditEvent.findMany({ orderBy: { seq: "asc" } });
  return JSON.stringify(events, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

describe("creating a connection checks the credential first", () => {
  it("a full-access key: saved with full access, abilities, write-back on; audited without the secret", async () => {
    const result = await create({ credentialKind: "API_KEY", apiKey: KEYS.full });
    const dto = ok(result);
    expect(result.ok && result.message).toMatch(/Connection saved\. Full access/);
    expect(dto).toMatchObject({ accessLevel: "FULL", readOnly: false, credentialKind: "API_KEY", status: "ACTIVE", rotationPeriodDays: 90, syncIntervalMinutes: 15, lastCheckOk: true });
    expect(dto.abilities).toEqual(["advanced_permissions", "audit_trail", "read_only_users", "teams"]);
    expect(dto.owner).toMatchObject({ id: owner.id, name: "Olivia Owner", active: true });
    expect(dto.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(dto.capabilities).toEqual([]);
    expect(dto.rotation).toMatchObject({ overdue: false, daysLeft: 90, dueSoon: false });
    expect(pd.seen.authorizations).toContain(`Token token=${KEYS.full}`);

    const row = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: dto.id } });
    expect(row.secretCiphertext).toMatch(/^v1\./);
    expect(row.secretCiphertext).not.toContain(KEYS.full);
    expect(openCredential(row)).toEqual({ kind: "API_KEY", apiKey: KEYS.full });
    const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.created", targetId: dto.id } });
    expect(event.actorId).toBe(admin.id);
    expect(JSON.stringify(event.after)).toContain(dto.fingerprint);
    for (const text of [JSON.stringify(result), await everywhere()]) {
      expect(text).not.toContain(KEYS.full);
      expect(text).not.toContain(row.secretCiphertext);
      expect(text).not.toContain(row.secretCiphertext.split(".")[4]!);
    }
  });

  it("a read-only key: saved, marked read-only, and the page says write-back is disabled", async () => {
    const dto = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.readOnly }));
    expect(dto).toMatchObject({ accessLevel: "READ_ONLY", readOnly: true });
    expect(dto.capabilities).toContain("Write-back disabled: this is a read-only key. Approved changes (reviews, requests, lifecycle) cannot be pushed to PagerDuty.");
  });

  it("an account without the teams ability: saved with full access, and says teams and incremental sync are unavailable", async () => {
    const dto = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.noTeams }));
    expect(dto).toMatchObject({ accessLevel: "FULL", readOnly: false, abilities: ["read_only_users"] });
    expect(dto.capabilities).toContain("Teams cannot be synced: the account lacks the teams ability.");
    expect(dto.capabilities.some((l) => l.startsWith("Incremental sync unavailable: no audit-trail ability — full sync every run"))).toBe(true);
  });

  it("a wrong key: a clear error, and nothing is written (no row, no audit event)", async () => {
    await asAdmin();
    const before = await worldFingerprint(t.prisma);
    const result = await actions.createConnection({ ...base(), credentialKind: "API_KEY", apiKey: KEYS.wrong });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^The credential was not saved: PagerDuty refused the credential.*Nothing was changed\.$/);
    expect(result.fieldErrors?.apiKey?.[0]).toMatch(/refused/);
    expect(JSON.stringify(result)).not.toContain(KEYS.wrong);
    expect(await worldFingerprint(t.prisma)).toBe(before);
  });

  it("an unreachable address: a clear error, nothing written", async () => {
    await asAdmin();
    const before = await worldFingerprint(t.prisma);
    const result = await actions.createConnection({ ...base(), apiBaseUrl: "http://127.0.0.1:9", credentialKind: "API_KEY", apiKey: KEYS.full });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^The credential was not saved: Could not reach PagerDuty/);
    expect(await worldFingerprint(t.prisma)).toBe(before);
  });

  it("an OAuth app: token from the identity endpoint with the account scope; granted scopes recorded, missing ones explained", async () => {
    const result = await create({ credentialKind: "OAUTH", oauthClientId: OAUTH.clientId, oauthClientSecret: OAUTH.clientSecret, region: "EU", subdomain: "acme-eu" });
    const dto = ok(result);
    expect(dto).toMatchObject({ credentialKind: "OAUTH", oauthClientId: OAUTH.clientId, region: "EU", accessLevel: "FULL" });
    expect(dto.scopes).toEqual(["as_account-eu.acme-eu", ...GRANTED_SCOPES].sort());
    expect(dto.capabilities.some((l) => l.startsWith("Some data cannot be synced: the OAuth app was not granted audit_records.read, licenses.read"))).toBe(true);
    expect(dto.capabilities.some((l) => l.startsWith("Some changes cannot be written back: the OAuth app was not granted users.write"))).toBe(true);
    expect(pd.seen.tokenSecrets).toContain(OAUTH.clientSecret);
    const text = JSON.stringify(result) + (await everywhere());
    expect(text).not.toContain(OAUTH.clientSecret);

    await asAdmin();
    const bad = await actions.createConnection({ ...base(), credentialKind: "OAUTH", oauthClientId: OAUTH.clientId, oauthClientSecret: "oauth+Wrong_Secret" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/Could not get an OAuth token.*invalid_client/);
  });

  it("refuses a duplicate name (case-insensitive) and an unknown or deactivated owner", async () => {
    const first = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.full }));
    const dup = await create({ name: first.name.toUpperCase(), credentialKind: "API_KEY", apiKey: KEYS.full });
    expect(dup).toMatchObject({ ok: false, error: `A connection named "${first.name.toUpperCase()}" already exists: choose another name.` });
    const gone = await createPerson(t.prisma, { status: "DEACTIVATED" });
    const r = await create({ ownerPersonId: gone.id, credentialKind: "API_KEY", apiKey: KEYS.full });
    expect(r).toMatchObject({ ok: false, error: "The owner must be an active person: that person is deactivated." });
  });
});

describe("rotation", () => {
  it("a bad new key is refused and the old key stays in place; a good one replaces it and restarts the clock", async () => {
    const created = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.full }));
    const rowBefore = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: created.id } });

    await asAdmin();
    const eventsBefore = await t.prisma.auditEvent.count();
    const refused = await actions.rotateCredential({ connectionId: created.id, apiKey: KEYS.wrong });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatch(/^The credential was not rotated: PagerDuty refused the credential.*The current credential stays in place\.$/);
    const rowAfterRefusal = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: created.id } });
    expect(rowAfterRefusal).toEqual(rowBefore);
    expect(openCredential(rowAfterRefusal)).toEqual({ kind: "API_KEY", apiKey: KEYS.full });
    expect(await t.prisma.auditEvent.count()).toBe(eventsBefore);

    await asAdmin();
    const same = await actions.rotateCredential({ connectionId: created.id, apiKey: KEYS.full });
    expect(same).toMatchObject({ ok: false });

    await asAdmin();
    const rotatedAt = Date.now();
    const rotated = await actions.rotateCredential({ connectionId: created.id, apiKey: KEYS.fullNext });
    const dto = ok(rotated);
    expect(rotated.ok && rotated.message).toMatch(/^Credential rotated\..*Revoke the old key in PagerDuty\.$/);
    expect(dto.lastRotatedAt.getTime()).toBeGreaterThanOrEqual(rotatedAt - 5);
    expect(dto.lastRotatedAt.getTime()).toBeGreaterThan(rowBefore.lastRotatedAt.getTime());
    expect(dto.fingerprint).not.toBe(created.fingerprint);
    const row = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: created.id } });
    expect(openCredential(row)).toEqual({ kind: "API_KEY", apiKey: KEYS.fullNext });
    const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.credential_rotated", targetId: created.id } });
    expect(event.before).toMatchObject({ fingerprint: created.fingerprint });
    expect(event.after).toMatchObject({ fingerprint: dto.fingerprint });
    const text = JSON.stringify(rotated) + (await everywhere());
    for (const secret of [KEYS.full, KEYS.fullNext, rowBefore.secretCiphertext, row.secretCiphertext]) expect(text).not.toContain(secret);

    // The wrong kind of credential for this connection is refused.
    await asAdmin();
    expect(await actions.rotateCredential({ connectionId: created.id, oauthClientSecret: OAUTH.clientSecretNext })).toMatchObject({ ok: false });
  });

  it("an OAuth app's secret rotates; the client id stays", async () => {
    const created = ok(await create({ credentialKind: "OAUTH", oauthClientId: OAUTH.clientId, oauthClientSecret: OAUTH.clientSecret }));
    await asAdmin();
    const dto = ok(await actions.rotateCredential({ connectionId: created.id, oauthClientSecret: OAUTH.clientSecretNext }));
    expect(dto.oauthClientId).toBe(OAUTH.clientId);
    const row = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: created.id } });
    expect(openCredential(row)).toEqual({ kind: "OAUTH", clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecretNext });
  });

  it("is overdue after the rotation period, and the dashboard lists it", async () => {
    const dto = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.full, rotationPeriodDays: 30 }));
    const day = 86_400_000;
    const at = (days: number) => new Date(dto.lastRotatedAt.getTime() + days * day);
    expect(rotationStatus(dto, at(10))).toMatchObject({ overdue: false, daysLeft: 20, dueSoon: false });
    expect(rotationStatus(dto, at(20))).toMatchObject({ overdue: false, daysLeft: 10, dueSoon: true });
    expect(rotationStatus(dto, at(31))).toMatchObject({ overdue: true, daysLeft: -1 });
    expect(rotationStatus(dto, at(31)).dueAt).toEqual(at(30));
    const adminActor = { personId: admin.id, email: admin.email, name: admin.name, roles: [PortalRole.ADMIN, PortalRole.MEMBER] };
    const warnings = await rotationWarnings(adminActor, at(31));
    expect(warnings.find((w) => w.connectionId === dto.id)).toMatchObject({ overdue: true, name: dto.name, ownerName: "Olivia Owner" });
    const listed = await listConnections(adminActor, { now: at(31) });
    expect(listed.find((c) => c.id === dto.id)?.rotation.overdue).toBe(true);
  });
});

describe("check, update, disable, enable, remove", () => {
  it("check records the result; a failing credential is recorded as failed and audited", async () => {
    const dto = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.full }));
    await asAdmin();
    const checked = await actions.checkConnection({ connectionId: dto.id });
    expect(ok(checked).lastCheckOk).toBe(true);
    // Point the stored row at a key PagerDuty no longer accepts (as if it was revoked there).
    const row = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: dto.id } });
    const { sealSecret } = await import("@/lib/connections/credential");
    await t.prisma.pagerDutyConnection.update({ where: { id: dto.id }, data: { secretCiphertext: sealSecret(row.id, { kind: "API_KEY", apiKey: KEYS.wrong }) } });
    await asAdmin();
    const failed = await actions.checkConnection({ connectionId: dto.id });
    expect(failed.ok && failed.message).toMatch(/^The credential check failed: PagerDuty refused the credential/);
    const after = ok(failed);
    expect(after).toMatchObject({ lastCheckOk: false, accessLevel: "FULL" });
    expect(after.capabilities[0]).toMatch(/The last credential check failed/);
    expect(await t.prisma.auditEvent.count({ where: { action: "connection.checked", targetId: dto.id } })).toBe(2);

    // A ciphertext moved to another row does not open there: the check says so instead of using it.
    const other = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.full }));
    await t.prisma.pagerDutyConnection.update({ where: { id: other.id }, data: { secretCiphertext: row.secretCiphertext } });
    await asAdmin();
    const moved = await actions.checkConnection({ connectionId: other.id });
    expect(moved.ok && moved.message).toMatch(/cannot be decrypted: the stored secret failed its integrity check/);
  });

  it("update saves settings; a new address needs the key entered again, is checked with it, and refused where it does not work", async () => {
    const dto = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.full }));
    const other = await createPerson(t.prisma);
    await asAdmin();
    const updated = ok(await actions.updateConnection({ connectionId: dto.id, purpose: "Quarterly access reviews", rotationPeriodDays: 60, syncIntervalMinutes: 30, ownerPersonId: other.id }));
    expect(updated).toMatchObject({ purpose: "Quarterly access reviews", rotationPeriodDays: 60, syncIntervalMinutes: 30, owner: { id: other.id } });
    const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.updated", targetId: dto.id } });
    expect(event.before).toEqual({ purpose: "Sync users and teams for access reviews", rotationPeriodDays: 90, syncIntervalMinutes: 15, ownerPersonId: owner.id });

    // Without the key: refused, and the stored key goes nowhere (tests/connections/endpoints.test.ts proves "nowhere").
    await asAdmin();
    const before = await worldFingerprint(t.prisma);
    const seen = pd.seen.authorizations.length;
    const unkeyed = await actions.updateConnection({ connectionId: dto.id, apiBaseUrl: "http://127.0.0.1:9" });
    expect(unkeyed).toMatchObject({ ok: false, fieldErrors: { apiKey: ["Enter the API key again to change the address."] } });
    if (!unkeyed.ok) expect(unkeyed.error).toMatch(/^Changing where this connection sends its credential \(API base URL\) needs the API key entered again in the same form: a stored credential is never sent to an address it was not entered for\. Nothing was changed, and nothing was sent\.$/);
    expect(pd.seen.authorizations.length).toBe(seen);
    expect(await worldFingerprint(t.prisma)).toBe(before);

    // With the key, to an address where nothing answers: checked there, refused, nothing written.
    await asAdmin();
    const beforeMove = await worldFingerprint(t.prisma);
    const moved = await actions.updateConnection({ connectionId: dto.id, apiBaseUrl: "http://127.0.0.1:9", apiKey: KEYS.full });
    expect(moved.ok).toBe(false);
    if (!moved.ok) expect(moved.error).toMatch(/^The connection was not changed: the credential does not work with the new address/);
    expect(await worldFingerprint(t.prisma)).toBe(beforeMove);

    // A key without an address change is not taken (that is a rotation).
    await asAdmin();
    expect(await actions.updateConnection({ connectionId: dto.id, purpose: "Reviews", apiKey: KEYS.fullNext })).toMatchObject({ ok: false, error: expect.stringMatching(/only needed when the address changes\. To replace the credential, use Rotate credential/) as unknown });

    // With the key, to another address where PagerDuty answers: checked there and saved; the same key is no rotation.
    const second = await startPagerDuty();
    try {
      await asAdmin();
      const saved = ok(await actions.updateConnection({ connectionId: dto.id, apiBaseUrl: `${second.url}/`, apiKey: KEYS.full }));
      expect(saved.apiBaseUrl).toBe(second.url);
      expect(saved.lastRotatedAt).toEqual(dto.lastRotatedAt);
      expect(second.seen.authorizations).toContain(`Token token=${KEYS.full}`);
      expect(JSON.stringify(saved) + (await everywhere())).not.toContain(KEYS.full);
      const audited = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: "connection.updated", targetId: dto.id }, orderBy: { seq: "desc" } });
      expect(audited.after).toMatchObject({ apiBaseUrl: second.url });
    } finally {
      await second.close();
    }
  });

  it("disable and enable; remove needs the name typed, keeps the row and its history, destroys the credential, frees the name", async () => {
    const dto = ok(await create({ credentialKind: "API_KEY", apiKey: KEYS.full }));
    await asAdmin();
    const off = ok(await actions.disableConnection({ connectionId: dto.id, reason: "Maintenance" }));
    expect(off.status).toBe("DISABLED");
    expect(off.capabilities[0]).toMatch(/^Disabled: no syncs and no write-back/);
    await asAdmin();
    expect(await actions.disableConnection({ connectionId: dto.id })).toEqual({ ok: false, error: "The connection is already disabled." });
    await asAdmin();
    expect(ok(await actions.enableConnection({ connectionId: dto.id })).status).toBe("ACTIVE");

    await asAdmin();
    const before = await worldFingerprint(t.prisma);
    const wrong = await actions.removeConnection({ connectionId: dto.id, confirmName: "something else" });
    expect(wrong).toMatchObject({ ok: false, error: `To remove this connection, type its name exactly: ${dto.name}. Nothing was removed.` });
    expect(await worldFingerprint(t.prisma)).toBe(before);

    await asAdmin();
    const removed = ok(await actions.removeConnection({ connectionId: dto.id, confirmName: dto.name, reason: "Account closed" }));
    expect(removed).toMatchObject({ status: "REMOVED" });
    const row = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: dto.id } });
    expect(row).toMatchObject({ status: "REMOVED", activeName: null, secretCiphertext: "" });
    const actionsDone = (await t.prisma.auditEvent.findMany({ where: { targetId: dto.id }, orderBy: { seq: "asc" } })).map((e) => e.action);
    expect(actionsDone).toEqual(["connection.created", "connection.disabled", "connection.enabled", "connection.removed"]);

    await asAdmin();
    expect(await actions.checkConnection({ connectionId: dto.id })).toMatchObject({ ok: false, error: "No such connection: it does not exist or was removed." });
    // The name can be used again; the removed one stays visible as history.
    const again = ok(await create({ name: dto.name, credentialKind: "API_KEY", apiKey: KEYS.full }));
    const adminActor = { personId: admin.id, email: admin.email, name: admin.name, roles: [PortalRole.ADMIN, PortalRole.MEMBER] };
    expect((await listConnections(adminActor)).some((c) => c.id === dto.id)).toBe(false);
    expect((await listConnections(adminActor, { includeRemoved: true })).some((c) => c.id === dto.id)).toBe(true);
    expect((await getConnection(adminActor, again.id))?.name).toBe(dto.name);
  });
});

describe("pages and the record never see a secret", () => {
  it("every DTO, every audit event and the whole connection table (outside the ciphertext column) are free of plaintext", async () => {
    const adminActor = { personId: admin.id, email: admin.email, name: admin.name, roles: [PortalRole.ADMIN, PortalRole.MEMBER] };
    const auditor = { personId: owner.id, email: owner.email, name: owner.name, roles: [PortalRole.AUDITOR, PortalRole.MEMBER] };
    const dtos = JSON.stringify([await listConnections(adminActor, { includeRemoved: true }), await listConnections(auditor)]);
    const rows = await t.prisma.pagerDutyConnection.findMany();
    const ciphertexts = rows.map((r) => r.secretCiphertext).filter(Boolean);
    const dump = JSON.stringify(rows.map((r) => ({ ...r, secretCiphertext: "[omitted]" })));
    const text = dtos + (await everywhere()) + dump;
    for (const secret of [...Object.values(KEYS), OAUTH.clientSecret, OAUTH.clientSecretNext, ...ciphertexts]) expect(text).not.toContain(secret);
    expect(dtos).not.toMatch(/secretCiphertext|apiKey|clientSecret/);
    for (const c of ciphertexts) for (const s of [...Object.values(KEYS), OAUTH.clientSecret, OAUTH.clientSecretNext]) expect(c).not.toContain(s);
    const member = { personId: owner.id, email: owner.email, name: owner.name, roles: [PortalRole.MEMBER] };
    await expect(listConnections(member)).rejects.toThrow(/don't have access/);
    await expect(listConnections(null)).rejects.toThrow(/not signed in/);
  });

  it("describeCapabilities is a pure function of the facts", () => {
    expect(describeCapabilities({ accessLevel: "FULL", credentialKind: "API_KEY", abilities: ["teams", "audit_trail", "read_only_users"], scopes: [] })).toEqual([]);
    expect(describeCapabilities({ accessLevel: "UNKNOWN", credentialKind: "API_KEY", abilities: [], scopes: [], lastCheckedAt: new Date() })).toEqual([
      "Write-back disabled: whether this credential may write could not be determined. Check the connection again, or use a full-access key.",
      "The account's abilities could not be read: which features it has (teams, audit trail) is unknown until a check can read them.",
    ]);
  });
});

describe("re-encryption after a change of ENCRYPTION_KEY", () => {
  it("re-seals every credential with the new key; they open with the new key alone afterwards", async () => {
    const oldKey = env().encryptionKey;
    const newKey = Buffer.alloc(32, 42);
    const live = await t.prisma.pagerDutyConnection.findMany({ where: { secretCiphertext: { not: "" } } });
    expect(live.length).toBeGreaterThan(3);
    const rotating = { current: newKey, previous: oldKey };
    const report = await reencryptAllCredentials(t.prisma, rotating);
    const broken = report.failed.map((f) => f.id);
    expect(report).toMatchObject({ examined: live.length, alreadyCurrent: 0, currentKeyId: keyId(newKey) });
    expect(report.reencrypted + report.failed.length).toBe(live.length);
    // The one row whose ciphertext was copied from another row (the AAD test above) cannot open: reported, untouched.
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.reason).toMatch(/integrity check/);
    for (const row of await t.prisma.pagerDutyConnection.findMany({ where: { secretCiphertext: { not: "" } } })) {
      const before = live.find((r) => r.id === row.id)!;
      if (broken.includes(row.id)) {
        expect(row.secretCiphertext).toBe(before.secretCiphertext);
        continue;
      }
      expect(sealedWithKeyId(row.secretCiphertext)).toBe(keyId(newKey));
      expect(row.updatedAt).toEqual(before.updatedAt);
      expect(openCredential(row, { current: newKey })).toEqual(openCredential(before, { current: oldKey }));
    }
    const again = await reencryptAllCredentials(t.prisma, rotating);
    expect(again).toMatchObject({ reencrypted: 0, alreadyCurrent: live.length - 1 });
    // Back onto the original key, so the rest of this file's database stays usable.
    await reencryptAllCredentials(t.prisma, { current: oldKey, previous: newKey });
  });
});
