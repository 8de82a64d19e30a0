"use server";

import { revalidatePath } from "next/cache";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { DomainError, NotFoundError } from "@/lib/auth/errors";
import { getDb } from "@/lib/db";
import { requestSync } from "@/lib/sync/jobs";
import type { ConnectionDto } from "@/lib/connections/dto";
import { markRotationRemindersRead as markRead } from "@/lib/connections/rotation";
import { markRemindersReadInput } from "@/lib/reviews/schemas";
import {
  connectionIdInput,
  createConnectionInput,
  removeConnectionInput,
  rotateCredentialInput,
  setConnectionStatusInput,
  updateConnectionInput,
} from "@/lib/connections/schemas";
import {
  checkConnection as checkConnectionService,
  createConnection as createConnectionService,
  disableConnection as disableConnectionService,
  enableConnection as enableConnectionService,
  removeConnection as removeConnectionService,
  rotateCredential as rotateCredentialService,
  updateConnection as updateConnectionService,
} from "@/lib/connections/service";

/** What the connection actions return: the connection as pages see it (never a secret). */
export type ConnectionActionResult = ActionResult<ConnectionDto>;

const created = defineAction({
  name: "connections.create",
  input: createConnectionInput,
  permission: "connection.manage",
  run: async ({ actor, input, requestId, clientIp }) => createConnectionService(await getDb(), actor, input, { requestId, clientIp }),
  message: ({ check }) => `Connection saved. ${check.message}`,
});

const updated = defineAction({
  name: "connections.update",
  input: updateConnectionInput,
  permission: "connection.manage",
  run: async ({ actor, input, requestId, clientIp }) => updateConnectionService(await getDb(), actor, input, { requestId, clientIp }),
  message: ({ changed }) => (changed.length ? "Connection saved." : "Nothing to change: the connection already has these settings."),
});

const disabled = defineAction({
  name: "connections.disable",
  input: setConnectionStatusInput,
  permission: "connection.manage",
  run: async ({ actor, input, requestId, clientIp }) => disableConnectionService(await getDb(), actor, input, { requestId, clientIp }),
  message: "Connection disabled: no syncs and no write-back until it is enabled again.",
});

const enabled = defineAction({
  name: "connections.enable",
  input: setConnectionStatusInput,
  permission: "connection.manage",
  run: async ({ actor, input, requestId, clientIp }) => enableConnectionService(await getDb(), actor, input, { requestId, clientIp }),
  message: "Connection enabled.",
});

const removed = defineAction({
  name: "connections.remove",
  input: removeConnectionInput,
  permission: "connection.manage",
  run: async ({ actor, input, requestId, clientIp }) => removeConnectionService(await getDb(), actor, input, { requestId, clientIp }),
  message: "Connection removed and its stored credential destroyed; its history is kept. Revoke the key (or the OAuth app) in PagerDuty too.",
});

const rotated = defineAction({
  name: "connections.rotateCredential",
  input: rotateCredentialInput,
  permission: "connection.manage",
  run: async ({ actor, input, requestId, clientIp }) => rotateCredentialService(await getDb(), actor, input, { requestId, clientIp }),
  message: ({ check }) => `Credential rotated. ${check.message} Revoke the old key in PagerDuty.`,
});

const checked = defineAction({
  name: "connections.check",
  input: connectionIdInput,
  permission: "connection.manage",
  run: async ({ actor, input, requestId, clientIp }) => checkConnectionService(await getDb(), actor, input, { requestId, clientIp }),
  message: ({ ok, check }) => (ok ? `Credential checked. ${check.message}` : `The credential check failed: ${check.message}`),
});

const syncRequested = defineAction({
  name: "connections.syncNow",
  input: connectionIdInput,
  permission: "connection.manage",
  run: async ({ actor, input }) => {
    const db = await getDb();
    // Said here in words a person can act on; requestSync itself only guards against the same cases.
    const conn = await db.pagerDutyConnection.findUnique({ where: { id: input.connectionId }, select: { status: true } });
    if (!conn || conn.status === "REMOVED") throw new NotFoundError("No such connection: it does not exist or was removed.");
    if (conn.status !== "ACTIVE") throw new DomainError("The connection is disabled: enable it before syncing.");
    return requestSync(db, input.connectionId, actor);
  },
  message: (job) => (job.created ? "Sync queued: it starts within seconds; progress shows on the connection's page." : "A sync of this connection is already queued or running."),
});

function done<T extends { connection: ConnectionDto } | ConnectionDto>(result: ActionResult<T>): ConnectionActionResult {
  if (!result.ok) return result;
  revalidatePath("/admin/connections");
  revalidatePath("/");
  const data: { connection: ConnectionDto } | ConnectionDto = result.data;
  const connection = "connection" in data ? data.connection : data;
  return result.message === undefined ? { ok: true, data: connection } : { ok: true, data: connection, message: result.message };
}

/**
 * {name, subdomain, region "US"|"EU", apiBaseUrl?, oauthTokenUrl?, ownerPersonId, purpose, rotationPeriodDays?,
 * syncIntervalMinutes?, credentialKind: "API_KEY", apiKey} or {…, credentialKind: "OAUTH", oauthClientId,
 * oauthClientSecret}. The credential is checked first; refused, nothing is saved.
 */
export async function createConnection(raw: unknown): Promise<ConnectionActionResult> {
  return done(await created(raw));
}

/** {connectionId, and any of: name, subdomain, region, apiBaseUrl, oauthTokenUrl (null: default), ownerPersonId, purpose, rotationPeriodDays, syncIntervalMinutes}. A new address is checked with the stored credential first. */
export async function updateConnection(raw: unknown): Promise<ConnectionActionResult> {
  return done(await updated(raw));
}

/** {connectionId, reason?} */
export async function disableConnection(raw: unknown): Promise<ConnectionActionResult> {
  return done(await disabled(raw));
}

/** {connectionId, reason?} */
export async function enableConnection(raw: unknown): Promise<ConnectionActionResult> {
  return done(await enabled(raw));
}

/** {connectionId, confirmName (the name typed again), reason?}: soft delete, history kept, credential destroyed. */
export async function removeConnection(raw: unknown): Promise<ConnectionActionResult> {
  return done(await removed(raw));
}

/** {connectionId, apiKey} or {connectionId, oauthClientSecret, oauthClientId?}: verified before it replaces the old one. */
export async function rotateCredential(raw: unknown): Promise<ConnectionActionResult> {
  return done(await rotated(raw));
}

/** {connectionId}: checks the stored credential now; the result (also a failure) is recorded and returned. */
export async function checkConnection(raw: unknown): Promise<ConnectionActionResult> {
  return done(await checked(raw));
}

/** {connectionId}: queues a sync now (one per connection at a time: an already queued or running one is kept). */
export async function syncConnectionNow(raw: unknown): Promise<ActionResult<{ jobId: string; created: boolean }>> {
  const result = await syncRequested(raw);
  if (!result.ok) return result;
  revalidatePath(`/admin/connections/${(raw as { connectionId: string }).connectionId}`);
  const data = { jobId: result.data.id, created: result.data.created };
  return result.message === undefined ? { ok: true, data } : { ok: true, data, message: result.message };
}

const rotationRemindersRead = defineAction({
  name: "connections.markRotationRemindersRead",
  input: markRemindersReadInput,
  permission: "portal.view",
  run: async ({ actor, input }) => markRead(await getDb(), actor, input),
});

/** {reminderIds}: the signed-in owner's in-app credential rotation reminders, read. */
export async function markRotationRemindersRead(raw: unknown): Promise<ActionResult<{ count: number }>> {
  const result = await rotationRemindersRead(raw);
  if (result.ok) revalidatePath("/");
  return result;
}
