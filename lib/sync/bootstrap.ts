/**
 * Connections created outside the web UI (the `npm run sync` command, tests, the bench): one row per API
 * URL + credential, reused on later runs (matched by the credential fingerprint, never by the secret).
 * Their owner is a bootstrap person, "PagerDuty sync (command line)" <sync-cli@system.invalid>: a
 * deactivated person, so it can never sign in; an admin can hand the connection to a real owner later.
 */
import { randomUUID } from "node:crypto";
import { sealSecret, toPagerDutyCredential, type ConnectionEndpoint, type CredentialSecret } from "@/lib/connections/credential";
import type { Db } from "@/lib/db";
import { ConnectionStatus, PersonStatus } from "@/lib/generated/prisma/client";
import { createPagerDutyClient } from "@/lib/pagerduty";

export const BOOTSTRAP_OWNER_EMAIL = "sync-cli@system.invalid";

export async function bootstrapOwner(db: Db): Promise<string> {
  const person = await db.person.upsert({
    where: { email: BOOTSTRAP_OWNER_EMAIL },
    create: { email: BOOTSTRAP_OWNER_EMAIL, name: "PagerDuty sync (command line)", status: PersonStatus.DEACTIVATED, roles: [], deactivatedAt: new Date() },
    update: {},
    select: { id: true },
  });
  return person.id;
}

export interface EnsureConnectionInput extends Partial<ConnectionEndpoint> {
  apiBaseUrl: string;
  secret: CredentialSecret;
  name?: string;
  ownerPersonId?: string;
}

/** The id of the live connection for this API URL and credential, created on first use. */
export async function ensureConnection(db: Db, input: EnsureConnectionInput): Promise<string> {
  const endpoint: ConnectionEndpoint = { subdomain: input.subdomain ?? "sync", region: input.region ?? "US", apiBaseUrl: input.apiBaseUrl.replace(/\/+$/, ""), oauthTokenUrl: input.oauthTokenUrl ?? null };
  // The fingerprint is computed locally (no request): SHA-256 over the API origin and the credential.
  const fingerprint = createPagerDutyClient({ baseUrl: endpoint.apiBaseUrl, credential: toPagerDutyCredential(endpoint, input.secret) }).fingerprint;
  const existing = await db.pagerDutyConnection.findFirst({ where: { credentialFingerprint: fingerprint, apiBaseUrl: endpoint.apiBaseUrl, status: ConnectionStatus.ACTIVE }, select: { id: true } });
  if (existing) return existing.id;
  const id = randomUUID();
  const name = input.name ?? `${new URL(endpoint.apiBaseUrl).host} (${fingerprint.slice(0, 8)})`;
  await db.pagerDutyConnection.create({
    data: {
      id,
      name,
      activeName: name.toLowerCase(),
      ...endpoint,
      credentialKind: input.secret.kind,
      oauthClientId: input.secret.kind === "OAUTH" ? input.secret.clientId : null,
      secretCiphertext: sealSecret(id, input.secret),
      credentialFingerprint: fingerprint,
      ownerPersonId: input.ownerPersonId ?? (await bootstrapOwner(db)),
      purpose: "Synced from the command line (npm run sync)",
    },
  });
  return id;
}
