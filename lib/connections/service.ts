import "server-only";
import { randomUUID } from "node:crypto";
import { appendAudit, type AuditActor } from "@/lib/audit";
import type { Actor } from "@/lib/auth/session";
import { DomainError, NotFoundError } from "@/lib/auth/errors";
import { SecretBoxError } from "@/lib/crypto";
import type { Db, Tx } from "@/lib/db";
import { ConnectionAccessLevel, ConnectionStatus, PersonStatus, Prisma } from "@/lib/generated/prisma/client";
import type { CredentialCheck } from "@/lib/pagerduty";
import { isReadOnly } from "./capabilities";
import {
  defaultApiBaseUrl,
  openCredential,
  refusedEndpoint,
  sealSecret,
  verifyCredential,
  type ClientTuning,
  type ConnectionEndpoint,
  type CredentialSecret,
} from "./credential";
import type { PagerDutyInstance } from "./instance";
import { auditSnapshot, connectionPublicSelect, toConnectionDto, type ConnectionDto } from "./dto";
import type {
  ConnectionIdInput,
  CreateConnectionInput,
  RemoveConnectionInput,
  RotateCredentialInput,
  SetConnectionStatusInput,
  UpdateConnectionInput,
} from "./schemas";

/**
 * Connection mutations. The caller (a server action) has authorized `connection.manage`. Rules:
 * - A credential is checked against PagerDuty BEFORE anything is written (create, rotate, endpoint change);
 *   a failed check changes nothing (no row, no audit event) and says why.
 * - Endpoints are derived from the instance URL; a custom one must pass the egress guard (lib/net/egress.ts),
 *   asked before anything is sent. A stored secret is never sent to an address it was not entered for:
 *   changing the address needs the secret entered again with the change (docs/decisions/0011).
 * - Each write and its audit event share one transaction; the row is locked and compared with what the
 *   check was made against, so a concurrent change is refused instead of overwritten.
 * - Secrets exist in plaintext only in this process's memory: the row holds AES-256-GCM ciphertext bound to
 *   the row id; DTOs and audit events carry the fingerprint only.
 */

export interface AuditContext {
  requestId: string | null;
  clientIp: string | null;
}

export interface ServiceOptions {
  now?: Date;
  /** PagerDuty client tuning for the credential check (tests: fetch, short timeouts). */
  tuning?: ClientTuning;
}

const TARGET = "pagerduty_connection";

const personActor = (actor: Actor): AuditActor => ({ type: "person", id: actor.personId, label: actor.email });

type ConnectionAuditAction =
  | "connection.created"
  | "connection.updated"
  | "connection.disabled"
  | "connection.enabled"
  | "connection.removed"
  | "connection.credential_rotated"
  | "connection.checked";

/** The audit event of a connection change, in the change's transaction. before/after never hold secrets. */
function audit(tx: Tx, actor: Actor, action: ConnectionAuditAction, connectionId: string, ctx: AuditContext, change: { before: unknown; after: unknown; reason?: string | null }) {
  return appendAudit(tx, {
    actor: personActor(actor),
    action,
    target: { type: TARGET, id: connectionId },
    accountId: connectionId,
    before: change.before,
    after: change.after,
    reason: change.reason ?? null,
    ...ctx,
  });
}

function accessLevelOf(check: CredentialCheck): ConnectionAccessLevel {
  return check.accessLevel === "full" ? ConnectionAccessLevel.FULL : check.accessLevel === "read_only" ? ConnectionAccessLevel.READ_ONLY : ConnectionAccessLevel.UNKNOWN;
}

function checkFields(check: CredentialCheck, now: Date) {
  const accessLevel = accessLevelOf(check);
  return {
    accessLevel,
    readOnly: isReadOnly(accessLevel),
    abilities: [...new Set(check.abilities)].sort(),
    scopes: [...new Set(check.scopes ?? [])].sort(),
    lastCheckedAt: now,
    lastCheckOk: true,
    lastCheckError: null,
    lastUsedAt: now,
  };
}

function refusedCredential(check: CredentialCheck, field: string): DomainError {
  return new DomainError(`The credential was not saved: ${check.message} Nothing was changed.`, { [field]: [check.message] });
}

async function requireActiveOwner(db: Db | Tx, personId: string) {
  const owner = await db.person.findUnique({ where: { id: personId }, select: { id: true, status: true } });
  if (!owner) throw new DomainError("The owner must be a person in the portal: no person has that id.", { ownerPersonId: ["No person has that id."] });
  if (owner.status !== PersonStatus.ACTIVE) throw new DomainError("The owner must be an active person: that person is deactivated.", { ownerPersonId: ["That person is deactivated."] });
}

async function nameTaken(db: Db | Tx, name: string, exceptId?: string): Promise<boolean> {
  const row = await db.pagerDutyConnection.findUnique({ where: { activeName: name.toLowerCase() }, select: { id: true } });
  return Boolean(row && row.id !== exceptId);
}

const nameTakenError = (name: string) => new DomainError(`A connection named "${name}" already exists: choose another name.`, { name: ["A connection with this name already exists."] });

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** Locks the row for the rest of the transaction and returns what it holds now. */
async function lockRow(tx: Tx, id: string) {
  await tx.$queryRaw`SELECT "id" FROM "PagerDutyConnection" WHERE "id" = ${id} FOR UPDATE`;
  return tx.pagerDutyConnection.findUnique({ where: { id } });
}

async function loadLive(db: Db, id: string) {
  const row = await db.pagerDutyConnection.findUnique({ where: { id } });
  if (!row || row.status === ConnectionStatus.REMOVED) throw new NotFoundError("No such connection: it does not exist or was removed.");
  return row;
}

const changedMeanwhile = () => new DomainError("The connection was changed by someone else meanwhile. Reload the page and try again; nothing was changed.");

function endpointOf(row: { subdomain: string; region: "US" | "EU"; apiBaseUrl: string; oauthTokenUrl: string | null }): ConnectionEndpoint {
  return { subdomain: row.subdomain, region: row.region, apiBaseUrl: row.apiBaseUrl, oauthTokenUrl: row.oauthTokenUrl };
}

async function dtoOf(tx: Tx | Db, id: string, now: Date): Promise<ConnectionDto> {
  const row = await tx.pagerDutyConnection.findUniqueOrThrow({ where: { id }, select: connectionPublicSelect });
  return toConnectionDto(row, now);
}

export interface CreatedConnection {
  connection: ConnectionDto;
  check: { accessLevel: CredentialCheck["accessLevel"]; message: string };
}

export async function createConnection(db: Db, actor: Actor, input: CreateConnectionInput, ctx: AuditContext, opts: ServiceOptions = {}): Promise<CreatedConnection> {
  const now = opts.now ?? new Date();
  await requireActiveOwner(db, input.ownerPersonId);
  if (await nameTaken(db, input.name)) throw nameTakenError(input.name);

  const instance = accountOf(input);
  const endpoint: ConnectionEndpoint = {
    ...instance,
    apiBaseUrl: input.apiBaseUrl ?? defaultApiBaseUrl(instance.region),
    oauthTokenUrl: input.oauthTokenUrl ?? null,
  };
  const refusal = await refusedEndpoint(endpoint, input.credentialKind, opts.tuning?.egress);
  if (refusal) throw new DomainError(`The connection was not saved: ${refusal.message} Nothing was sent.`, { [refusal.field]: [refusal.message] });
  const secret: CredentialSecret =
    input.credentialKind === "API_KEY" ? { kind: "API_KEY", apiKey: input.apiKey } : { kind: "OAUTH", clientId: input.oauthClientId, clientSecret: input.oauthClientSecret };
  const { check, fingerprint } = await verifyCredential(endpoint, secret, opts.tuning);
  if (!check.ok) throw refusedCredential(check, input.credentialKind === "API_KEY" ? "apiKey" : "oauthClientSecret");

  const id = randomUUID();
  try {
    const connection = await db.$transaction(async (tx) => {
      await requireActiveOwner(tx, input.ownerPersonId);
      const row = await tx.pagerDutyConnection.create({
        data: {
          id,
          name: input.name,
          activeName: input.name.toLowerCase(),
          ...endpoint,
          credentialKind: input.credentialKind,
          oauthClientId: secret.kind === "OAUTH" ? secret.clientId : null,
          secretCiphertext: sealSecret(id, secret),
          credentialFingerprint: fingerprint,
          ...checkFields(check, now),
          ownerPersonId: input.ownerPersonId,
          purpose: input.purpose,
          rotationPeriodDays: input.rotationPeriodDays ?? 90,
          syncIntervalMinutes: input.syncIntervalMinutes ?? 15,
          createdAt: now,
          lastRotatedAt: now,
          status: ConnectionStatus.ACTIVE,
        },
      });
      await audit(tx, actor, "connection.created", id, ctx, { before: null, after: auditSnapshot(row) });
      return dtoOf(tx, id, now);
    });
    return { connection, check: { accessLevel: check.accessLevel, message: check.message } };
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTakenError(input.name);
    throw error;
  }
}

export async function updateConnection(db: Db, actor: Actor, input: UpdateConnectionInput, ctx: AuditContext, opts: ServiceOptions = {}): Promise<{ connection: ConnectionDto; changed: string[] }> {
  const now = opts.now ?? new Date();
  const current = await loadLive(db, input.connectionId);
  if (input.ownerPersonId !== undefined && input.ownerPersonId !== current.ownerPersonId) await requireActiveOwner(db, input.ownerPersonId);
  if (input.name !== undefined && (await nameTaken(db, input.name, current.id))) throw nameTakenError(input.name);

  // The account, as given now (instance URL, or subdomain/region), else as it is.
  const instance: PagerDutyInstance = input.instanceUrl ?? { subdomain: input.subdomain ?? current.subdomain, region: input.region ?? current.region };
  // A connection on PagerDuty's derived API follows the region; a custom API stays until changed or cleared (null).
  const currentCustomApi = current.apiBaseUrl !== defaultApiBaseUrl(current.region) ? current.apiBaseUrl : null;
  const apiBaseUrl = input.apiBaseUrl === null ? defaultApiBaseUrl(instance.region) : (input.apiBaseUrl ?? currentCustomApi ?? defaultApiBaseUrl(instance.region));
  const endpoint: ConnectionEndpoint = {
    ...instance,
    apiBaseUrl,
    oauthTokenUrl: input.oauthTokenUrl === undefined ? current.oauthTokenUrl : input.oauthTokenUrl,
  };
  const endpointFields = (Object.keys(endpoint) as (keyof ConnectionEndpoint)[]).filter((k) => endpoint[k] !== endpointOf(current)[k]);
  const reentered = reenteredSecret(input, current);
  const secretField = current.credentialKind === "API_KEY" ? "apiKey" : "oauthClientSecret";
  const secretWords = current.credentialKind === "API_KEY" ? "API key" : "OAuth client secret";
  if (reentered && endpointFields.length === 0) {
    throw new DomainError(`The ${secretWords} is only needed when the address changes. To replace the credential, use Rotate credential. Nothing was changed.`, { [secretField]: ["Only needed when the address changes."] });
  }

  const data: Prisma.PagerDutyConnectionUpdateInput = {};
  const changed: string[] = [];
  const set = <K extends "name" | "purpose" | "rotationPeriodDays" | "syncIntervalMinutes">(key: K, value: (typeof current)[K] | undefined) => {
    if (value !== undefined && value !== current[key]) {
      Object.assign(data, { [key]: value });
      changed.push(key);
    }
  };
  set("name", input.name);
  set("purpose", input.purpose);
  set("rotationPeriodDays", input.rotationPeriodDays);
  set("syncIntervalMinutes", input.syncIntervalMinutes);
  if (data.name !== undefined) data.activeName = String(data.name).toLowerCase();
  if (input.ownerPersonId !== undefined && input.ownerPersonId !== current.ownerPersonId) {
    data.owner = { connect: { id: input.ownerPersonId } };
    changed.push("ownerPersonId");
  }
  if (endpointFields.length > 0) {
    // The stored secret was entered for the current address: it is never sent anywhere else. The person
    // changing the address enters it again, and that is what is checked (and stored) at the new address.
    if (!reentered) {
      throw new DomainError(
        `Changing where this connection sends its credential (${endpointFields.map(fieldWords).join(", ")}) needs the ${secretWords} entered again in the same form: ` +
          "a stored credential is never sent to an address it was not entered for. Nothing was changed, and nothing was sent.",
        { [secretField]: [`Enter the ${secretWords} again to change the address.`] },
      );
    }
    const refusal = await refusedEndpoint(endpoint, current.credentialKind, opts.tuning?.egress);
    if (refusal) throw new DomainError(`The connection was not changed: ${refusal.message} Nothing was sent.`, { [refusal.field]: [refusal.message] });
    const { check, fingerprint } = await verifyCredential(endpoint, reentered, opts.tuning);
    if (!check.ok) throw new DomainError(`The connection was not changed: the credential does not work with the new address. ${check.message}`, { [secretField]: [check.message] });
    Object.assign(data, endpoint, { credentialFingerprint: fingerprint, secretCiphertext: sealSecret(current.id, reentered) }, checkFields(check, now));
    changed.push(...endpointFields);
    if (!sameAsStored(current, reentered)) {
      // A different secret than the stored one: that is a rotation too.
      data.lastRotatedAt = now;
      changed.push("lastRotatedAt");
    }
  }
  if (changed.length === 0) return { connection: await dtoOf(db, current.id, now), changed };

  try {
    const connection = await db.$transaction(async (tx) => {
      const locked = await lockRow(tx, current.id);
      if (!locked || locked.updatedAt.getTime() !== current.updatedAt.getTime() || locked.status === ConnectionStatus.REMOVED || locked.secretCiphertext !== current.secretCiphertext) throw changedMeanwhile();
      const row = await tx.pagerDutyConnection.update({ where: { id: current.id }, data });
      const before = auditSnapshot(current);
      const after = auditSnapshot(row);
      await audit(tx, actor, "connection.updated", current.id, ctx, { before: pick(before, changed), after: pick(after, changed) });
      return dtoOf(tx, current.id, now);
    });
    return { connection, changed };
  } catch (error) {
    if (isUniqueViolation(error) && input.name) throw nameTakenError(input.name);
    throw error;
  }
}

/** The account a create names: its instance URL, or subdomain and region (US unless said). */
function accountOf(input: CreateConnectionInput): PagerDutyInstance {
  return input.instanceUrl ?? { subdomain: input.subdomain ?? "", region: input.region ?? "US" };
}

const FIELD_WORDS: Record<keyof ConnectionEndpoint, string> = { subdomain: "subdomain", region: "region", apiBaseUrl: "API base URL", oauthTokenUrl: "OAuth token URL" };
const fieldWords = (field: keyof ConnectionEndpoint) => FIELD_WORDS[field];

/** The secret entered with an update, as this connection's kind of credential (the wrong kind is refused). */
function reenteredSecret(input: UpdateConnectionInput, current: { credentialKind: "API_KEY" | "OAUTH"; oauthClientId: string | null }): CredentialSecret | null {
  if (input.apiKey !== undefined) {
    if (current.credentialKind !== "API_KEY") throw new DomainError("This connection uses an OAuth app: enter its OAuth client secret, not an API key. Nothing was changed.", { apiKey: ["This connection uses an OAuth app."] });
    return { kind: "API_KEY", apiKey: input.apiKey };
  }
  if (input.oauthClientSecret !== undefined) {
    if (current.credentialKind !== "OAUTH" || !current.oauthClientId) throw new DomainError("This connection uses an API key: enter the API key, not an OAuth client secret. Nothing was changed.", { oauthClientSecret: ["This connection uses an API key."] });
    return { kind: "OAUTH", clientId: current.oauthClientId, clientSecret: input.oauthClientSecret };
  }
  return null;
}

/** Is this the secret already stored (decrypted here only to compare; never sent)? Unreadable counts as different. */
function sameAsStored(current: Parameters<typeof openCredential>[0], secret: CredentialSecret): boolean {
  try {
    return JSON.stringify(openCredential(current)) === JSON.stringify(secret);
  } catch (error) {
    if (error instanceof SecretBoxError) return false;
    throw error;
  }
}

function pick(snapshot: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in snapshot) out[k] = snapshot[k];
  // An endpoint change re-checked the credential: record what the check found.
  if (keys.some((k) => ["subdomain", "region", "apiBaseUrl", "oauthTokenUrl"].includes(k))) {
    for (const k of ["fingerprint", "accessLevel", "readOnly", "abilities", "scopes"]) out[k] = snapshot[k];
  }
  return out;
}

async function setStatus(
  db: Db,
  actor: Actor,
  id: string,
  to: ConnectionStatus,
  action: "connection.disabled" | "connection.enabled",
  reason: string | undefined,
  ctx: AuditContext,
  now: Date,
): Promise<ConnectionDto> {
  return db.$transaction(async (tx) => {
    const row = await lockRow(tx, id);
    if (!row || row.status === ConnectionStatus.REMOVED) throw new NotFoundError("No such connection: it does not exist or was removed.");
    if (row.status === to) {
      throw new DomainError(to === ConnectionStatus.DISABLED ? "The connection is already disabled." : "The connection is already enabled.");
    }
    await tx.pagerDutyConnection.update({ where: { id }, data: { status: to } });
    await audit(tx, actor, action, id, ctx, { before: { status: row.status }, after: { status: to }, reason });
    return dtoOf(tx, id, now);
  });
}

/** Stops syncs and write-back for the connection; the credential is kept. */
export function disableConnection(db: Db, actor: Actor, input: SetConnectionStatusInput, ctx: AuditContext, opts: ServiceOptions = {}) {
  return setStatus(db, actor, input.connectionId, ConnectionStatus.DISABLED, "connection.disabled", input.reason, ctx, opts.now ?? new Date());
}

export function enableConnection(db: Db, actor: Actor, input: SetConnectionStatusInput, ctx: AuditContext, opts: ServiceOptions = {}) {
  return setStatus(db, actor, input.connectionId, ConnectionStatus.ACTIVE, "connection.enabled", input.reason, ctx, opts.now ?? new Date());
}

/**
 * Soft delete: the row stays (history, audit, later the synced data it explains), its name becomes free,
 * and the stored credential is destroyed (the ciphertext is erased: a removed connection must never be
 * usable again). The person should also revoke the key in PagerDuty; the message says so.
 */
export async function removeConnection(db: Db, actor: Actor, input: RemoveConnectionInput, ctx: AuditContext, opts: ServiceOptions = {}): Promise<ConnectionDto> {
  const now = opts.now ?? new Date();
  return db.$transaction(async (tx) => {
    const row = await lockRow(tx, input.connectionId);
    if (!row || row.status === ConnectionStatus.REMOVED) throw new NotFoundError("No such connection: it does not exist or was already removed.");
    if (input.confirmName !== row.name) {
      throw new DomainError(`To remove this connection, type its name exactly: ${row.name}. Nothing was removed.`, { confirmName: ["Does not match the connection's name."] });
    }
    await tx.pagerDutyConnection.update({
      where: { id: row.id },
      data: { status: ConnectionStatus.REMOVED, removedAt: now, activeName: null, secretCiphertext: "" },
    });
    await audit(tx, actor, "connection.removed", row.id, ctx, { before: { status: row.status, name: row.name }, after: { status: ConnectionStatus.REMOVED, credentialDestroyed: true }, reason: input.reason ?? null });
    return dtoOf(tx, row.id, now);
  });
}

/**
 * Replaces the credential. The new one is checked against PagerDuty first; refused, the old one stays in
 * place untouched. The old credential does not have to decrypt (that is how a lost key is recovered).
 */
export async function rotateCredential(db: Db, actor: Actor, input: RotateCredentialInput, ctx: AuditContext, opts: ServiceOptions = {}): Promise<CreatedConnection> {
  const now = opts.now ?? new Date();
  const current = await loadLive(db, input.connectionId);
  let secret: CredentialSecret;
  if ("apiKey" in input) {
    if (current.credentialKind !== "API_KEY") throw new DomainError("This connection uses an OAuth app: give the new oauthClientSecret (and oauthClientId if it changed), not an API key.", { apiKey: ["This connection uses an OAuth app."] });
    secret = { kind: "API_KEY", apiKey: input.apiKey };
  } else {
    if (current.credentialKind !== "OAUTH" || !current.oauthClientId) throw new DomainError("This connection uses an API key: give the new apiKey, not an OAuth client secret.", { oauthClientSecret: ["This connection uses an API key."] });
    secret = { kind: "OAUTH", clientId: input.oauthClientId ?? current.oauthClientId, clientSecret: input.oauthClientSecret };
  }
  const field = secret.kind === "API_KEY" ? "apiKey" : "oauthClientSecret";
  let old: CredentialSecret | null = null;
  try {
    old = openCredential(current);
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
  }
  if (old && JSON.stringify(old) === JSON.stringify(secret)) {
    throw new DomainError("The new credential is the same as the current one: create a new key in PagerDuty and paste that. Nothing was changed.", { [field]: ["Same as the current credential."] });
  }
  const { check, fingerprint } = await verifyCredential(endpointOf(current), secret, opts.tuning);
  if (!check.ok) throw new DomainError(`The credential was not rotated: ${check.message} The current credential stays in place.`, { [field]: [check.message] });

  const connection = await db.$transaction(async (tx) => {
    const locked = await lockRow(tx, current.id);
    if (!locked || locked.status === ConnectionStatus.REMOVED || locked.secretCiphertext !== current.secretCiphertext || locked.updatedAt.getTime() !== current.updatedAt.getTime()) {
      throw changedMeanwhile();
    }
    const row = await tx.pagerDutyConnection.update({
      where: { id: current.id },
      data: {
        secretCiphertext: sealSecret(current.id, secret),
        oauthClientId: secret.kind === "OAUTH" ? secret.clientId : null,
        credentialFingerprint: fingerprint,
        ...checkFields(check, now),
        lastRotatedAt: now,
      },
    });
    const before = auditSnapshot(current);
    const after = auditSnapshot(row);
    const keys = ["fingerprint", "oauthClientId", "accessLevel", "readOnly", "abilities", "scopes", "lastRotatedAt", "lastCheckOk", "lastCheckError"];
    await audit(tx, actor, "connection.credential_rotated", current.id, ctx, { before: pick(before, keys), after: pick(after, keys) });
    return dtoOf(tx, current.id, now);
  });
  return { connection, check: { accessLevel: check.accessLevel, message: check.message } };
}

/**
 * Checks the stored credential now and records the result (a failure too: it is the connection's state).
 * Access level, abilities and scopes are updated from a successful check and kept after a failed one.
 */
export async function checkConnection(db: Db, actor: Actor, input: ConnectionIdInput, ctx: AuditContext, opts: ServiceOptions = {}): Promise<CreatedConnection & { ok: boolean }> {
  const now = opts.now ?? new Date();
  const current = await loadLive(db, input.connectionId);
  let check: CredentialCheck;
  let fingerprint = current.credentialFingerprint;
  try {
    const verified = await verifyCredential(endpointOf(current), openCredential(current), opts.tuning);
    check = verified.check;
    fingerprint = verified.fingerprint;
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    check = { ok: false, accessLevel: "unknown", abilities: [], message: `The stored credential cannot be decrypted: ${error.message}.` };
  }
  const data: Prisma.PagerDutyConnectionUpdateInput = check.ok
    ? { ...checkFields(check, now), credentialFingerprint: fingerprint }
    : { lastCheckedAt: now, lastCheckOk: false, lastCheckError: check.message.slice(0, 1000) };

  const connection = await db.$transaction(async (tx) => {
    const locked = await lockRow(tx, current.id);
    if (!locked || locked.status === ConnectionStatus.REMOVED || locked.secretCiphertext !== current.secretCiphertext) throw changedMeanwhile();
    const row = await tx.pagerDutyConnection.update({ where: { id: current.id }, data });
    const keys = ["accessLevel", "readOnly", "abilities", "scopes", "lastCheckOk", "lastCheckError"];
    await audit(tx, actor, "connection.checked", current.id, ctx, { before: pick(auditSnapshot(locked), keys), after: pick(auditSnapshot(row), keys) });
    return dtoOf(tx, current.id, now);
  });
  return { ok: check.ok, connection, check: { accessLevel: check.accessLevel, message: check.message } };
}

/** For the sync and the change pipeline: the credential was used successfully at `at`. No audit event (not a change of the connection). */
export async function markConnectionUsed(db: Db | Tx, connectionId: string, at: Date = new Date()): Promise<void> {
  await db.pagerDutyConnection.updateMany({ where: { id: connectionId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] }, data: { lastUsedAt: at } });
}
