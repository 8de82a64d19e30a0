/**
 * The credential of a connection: how it is sealed at rest, rebuilt for the PagerDuty client, and checked.
 * Plain Node (no Next.js imports), so the sync worker and scripts can use it. Nothing here logs, and
 * nothing returned from here (apart from `openCredential`) carries a secret.
 */
import { decryptSecret, encryptSecret, keyringFromEnv, type Keyring } from "@/lib/crypto";
import { egressGuard, isEgressRefused, type EgressGuard } from "@/lib/net/egress";
import { checkCredential, createPagerDutyClient, type CredentialCheck, type PagerDutyClient, type PagerDutyCredential } from "@/lib/pagerduty";
import { PORTAL_OAUTH_SCOPES } from "./capabilities";
import { defaultApiBaseUrl, effectiveTokenUrl, type ConnectionEndpoint } from "./instance";
import { redactSecrets } from "./redact";

export { defaultApiBaseUrl, effectiveTokenUrl as tokenUrlFor, type ConnectionEndpoint, type RegionName } from "./instance";

export type CredentialKindName = "API_KEY" | "OAUTH";

/** A credential as a person pastes it (plaintext: server memory only, never stored, never returned). */
export type CredentialSecret = { kind: "API_KEY"; apiKey: string } | { kind: "OAUTH"; clientId: string; clientSecret: string };

/** The row fields needed to open a stored credential. */
export interface StoredCredential extends ConnectionEndpoint {
  id: string;
  credentialKind: CredentialKindName;
  oauthClientId: string | null;
  secretCiphertext: string;
}

/** AAD context binding a sealed secret to its row and purpose: a ciphertext moved elsewhere does not open. */
export function secretContext(connectionId: string, kind: CredentialKindName): string {
  return `PagerDutyConnection:${connectionId}:${kind === "API_KEY" ? "api_key" : "oauth_client_secret"}`;
}

export function sealSecret(connectionId: string, secret: CredentialSecret, keyring: Keyring = keyringFromEnv()): string {
  const plaintext = secret.kind === "API_KEY" ? secret.apiKey : secret.clientSecret;
  return encryptSecret(plaintext, secretContext(connectionId, secret.kind), keyring);
}

export function toPagerDutyCredential(endpoint: ConnectionEndpoint, secret: CredentialSecret): PagerDutyCredential {
  if (secret.kind === "API_KEY") return { kind: "api_key", token: secret.apiKey };
  return {
    kind: "oauth",
    clientId: secret.clientId,
    clientSecret: secret.clientSecret,
    subdomain: endpoint.subdomain,
    region: endpoint.region === "EU" ? "eu" : "us",
    scopes: PORTAL_OAUTH_SCOPES,
    tokenUrl: effectiveTokenUrl(endpoint),
  };
}

/** Decrypts a stored credential (throws SecretBoxError when it was altered or its key is not configured). */
export function openCredential(row: StoredCredential, keyring: Keyring = keyringFromEnv()): CredentialSecret {
  const plaintext = decryptSecret(row.secretCiphertext, secretContext(row.id, row.credentialKind), keyring);
  if (row.credentialKind === "API_KEY") return { kind: "API_KEY", apiKey: plaintext };
  if (!row.oauthClientId) throw new Error(`connection ${row.id} is an OAuth app without a client id`);
  return { kind: "OAUTH", clientId: row.oauthClientId, clientSecret: plaintext };
}

export interface ClientTuning {
  fetch?: typeof fetch;
  /** Egress guard (tests: a stub resolver, their own allow-list); default: the process's guard. */
  egress?: EgressGuard;
  timeoutMs?: number;
  retry?: { attempts?: number; baseDelayMs?: number };
}

export function clientFor(endpoint: ConnectionEndpoint, secret: CredentialSecret, tuning: ClientTuning = {}): PagerDutyClient {
  return createPagerDutyClient({
    baseUrl: endpoint.apiBaseUrl,
    credential: toPagerDutyCredential(endpoint, secret),
    fetch: tuning.fetch,
    egress: tuning.egress,
    timeoutMs: tuning.timeoutMs,
    retry: tuning.retry,
  });
}

/** A PagerDuty client for a stored connection (for the sync and the change pipeline). */
export function clientForConnection(row: StoredCredential, tuning: ClientTuning = {}, keyring: Keyring = keyringFromEnv()): PagerDutyClient {
  return clientFor(row, openCredential(row, keyring), tuning);
}

export interface VerifiedCredential {
  check: CredentialCheck;
  /** SHA-256 over API origin and credential material: the rate-budget key, safe to show. */
  fingerprint: string;
}

/**
 * Checks a credential against PagerDuty without changing anything there (lib/pagerduty checkCredential).
 * A person waits for the answer, so retries are few and short. The message is scrubbed of the secret
 * whatever PagerDuty or a proxy echoed back.
 */
export async function verifyCredential(endpoint: ConnectionEndpoint, secret: CredentialSecret, tuning: ClientTuning = {}): Promise<VerifiedCredential> {
  const client = clientFor(endpoint, secret, { timeoutMs: 15_000, retry: { attempts: 2, baseDelayMs: 250 }, ...tuning });
  const secrets = secret.kind === "API_KEY" ? [secret.apiKey] : [secret.clientSecret];
  let check: CredentialCheck;
  try {
    check = await checkCredential(client);
  } catch (error) {
    const text = error instanceof Error ? error.message : "unknown error";
    check = { ok: false, accessLevel: "unknown", abilities: [], message: `Could not check the credential: ${text}` };
  }
  return { check: { ...check, message: redactSecrets(check.message, secrets) }, fingerprint: client.fingerprint };
}

/** Which form field named the address the guard refused, and why. */
export interface EndpointRefusal {
  field: "instanceUrl" | "apiBaseUrl" | "oauthTokenUrl";
  message: string;
}

/**
 * Puts every address this credential would be sent to (the API; the identity endpoint for an OAuth app) to
 * the egress guard, before anything is sent. Null when all are allowed; otherwise the first refusal, tied to
 * the field a person typed it in (a derived PagerDuty host that resolves somewhere private is the instance's).
 */
export async function refusedEndpoint(endpoint: ConnectionEndpoint, kind: CredentialKindName, egress: EgressGuard = egressGuard()): Promise<EndpointRefusal | null> {
  const customApi = endpoint.apiBaseUrl !== defaultApiBaseUrl(endpoint.region);
  const addresses: [string, EndpointRefusal["field"]][] = [[endpoint.apiBaseUrl, customApi ? "apiBaseUrl" : "instanceUrl"]];
  if (kind === "OAUTH") addresses.push([effectiveTokenUrl(endpoint), endpoint.oauthTokenUrl ? "oauthTokenUrl" : customApi ? "apiBaseUrl" : "instanceUrl"]);
  for (const [url, field] of addresses) {
    try {
      await egress.check(url);
    } catch (error) {
      if (isEgressRefused(error)) return { field, message: error.message };
      throw error;
    }
  }
  return null;
}
