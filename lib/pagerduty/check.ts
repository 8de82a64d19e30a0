/**
 * checkCredential: what a credential can do, without changing anything in PagerDuty.
 *
 * 1. Authenticate (for OAuth apps: get a token; its `scope` says what was granted).
 * 2. GET /abilities: proves the credential works and lists the account's abilities (teams, audit trail…).
 * 3. Tell read-only from full access with a write that cannot change anything: DELETE of a team membership
 *    whose ids cannot exist (PagerDuty ids never contain "-"). PagerDuty authorizes before it looks the
 *    resource up, so a read-only key is refused with 403 (code 2010, "Access Denied") while a full-access key
 *    gets past authorization and is answered 404 (nothing there). Whatever the server's order of checks,
 *    no team or user can match those ids, so the probe is harmless. If the account has no teams ability
 *    (402), the same probe runs on PUT /users/{id} with an empty body.
 *
 * Before any of that, every address the credential would go to is put to the egress guard (client.preflight):
 * a refused address sends nothing. Messages say the status and what to do; they never repeat what the server
 * answered (a refused or failing host's body is not shown: docs/decisions/0011).
 */
import type { PagerDutyClient } from "./client";
import { PagerDutyError } from "./errors";

export type AccessLevel = "full" | "read_only" | "unknown";

export interface CredentialCheck {
  ok: boolean;
  accessLevel: AccessLevel;
  abilities: string[];
  /** Scopes granted to an OAuth app token; undefined for API keys. */
  scopes?: string[];
  /** One sentence a person can act on. */
  message: string;
}

/** An id PagerDuty cannot have issued (its ids are uppercase alphanumerics). */
export const PROBE_ID = "PORTAL-ACCESS-PROBE";

type ProbeAnswer = "allowed" | "forbidden" | "ability_missing" | "unauthenticated" | "inconclusive";

async function probe(client: PagerDutyClient, target: "team_membership" | "user"): Promise<ProbeAnswer> {
  try {
    if (target === "team_membership") {
      await client.request({ method: "DELETE", route: "/teams/{id}/users/{user_id}", params: { id: PROBE_ID, user_id: PROBE_ID }, acceptStatuses: [400, 404] });
    } else {
      await client.request({ method: "PUT", route: "/users/{id}", params: { id: PROBE_ID }, body: {}, acceptStatuses: [400, 404] });
    }
    return "allowed";
  } catch (error) {
    if (!(error instanceof PagerDutyError) || error.kind !== "http") return "inconclusive";
    if (error.status === 403) return "forbidden";
    if (error.status === 402) return "ability_missing";
    if (error.status === 401) return "unauthenticated";
    return "inconclusive";
  }
}

export async function checkCredential(client: PagerDutyClient): Promise<CredentialCheck> {
  try {
    await client.preflight();
  } catch (error) {
    return { ok: false, accessLevel: "unknown", abilities: [], message: `${errorText(error)} Nothing was sent.` };
  }
  try {
    await client.authenticate();
  } catch (error) {
    return { ok: false, accessLevel: "unknown", abilities: [], message: `Could not get an OAuth token: ${errorText(error)}` };
  }

  let abilities: string[] = [];
  let abilityNote = "";
  try {
    abilities = await client.listAbilities();
  } catch (error) {
    if (error instanceof PagerDutyError && error.kind === "http" && error.status === 401) {
      return {
        ok: false,
        accessLevel: "unknown",
        abilities: [],
        scopes: client.grantedScopes(),
        message: "PagerDuty refused the credential (HTTP 401): check that the whole key was pasted and that it is still active in PagerDuty (Integrations → API Access Keys).",
      };
    }
    if (error instanceof PagerDutyError && error.kind === "http" && error.status === 403) {
      abilityNote = " The credential may not read the account's abilities (abilities.read scope).";
    } else {
      return { ok: false, accessLevel: "unknown", abilities: [], scopes: client.grantedScopes(), message: `Could not reach PagerDuty: ${errorText(error)}` };
    }
  }

  let answer = await probe(client, "team_membership");
  if (answer === "ability_missing") answer = await probe(client, "user");
  const scopes = client.grantedScopes();

  if (answer === "unauthenticated") {
    return { ok: false, accessLevel: "unknown", abilities, scopes, message: "PagerDuty refused the credential." };
  }
  const accessLevel: AccessLevel = answer === "allowed" ? "full" : answer === "forbidden" ? "read_only" : "unknown";
  const message =
    accessLevel === "full"
      ? "Full access: the portal can sync this account and write approved changes back."
      : accessLevel === "read_only"
        ? "Read-only access: the portal can sync this account, but write-back is disabled."
        : "The credential works for reading; whether it may write could not be determined, so write-back stays disabled.";
  return { ok: true, accessLevel, abilities, scopes, message: message + abilityNote };
}

/**
 * A failure in words a person can act on, built from what the portal knows (kind, status), never from the
 * answer's body.
 */
function errorText(error: unknown): string {
  if (!(error instanceof PagerDutyError)) return "unknown error.";
  switch (error.kind) {
    case "egress":
      return error.detail;
    case "oauth":
      return `${error.detail}.`;
    case "timeout":
      return "no answer in time: check the address and the server's network, then try again.";
    case "network":
      return "the address could not be reached (connection failed): check the address and the server's network.";
    case "invalid_response":
      return `the server answered HTTP ${error.status}, but not as PagerDuty does: check that the address is PagerDuty's API (or the listed proxy).`;
    case "http":
      if (error.status >= 300 && error.status < 400) return `the server answered with a redirect (HTTP ${error.status}), which the portal does not follow: give the address PagerDuty answers at directly.`;
      if (error.status === 403) return "PagerDuty refused access (HTTP 403): the credential is not permitted to read the account.";
      if (error.status === 429) return "PagerDuty is rate limiting this credential (HTTP 429): try again in a minute.";
      if (error.status >= 500) return `the server answered HTTP ${error.status}: try again later.`;
      return `the server answered HTTP ${error.status}: check the address and the credential.`;
    default:
      return `the check could not be completed (${error.kind}).`;
  }
}
