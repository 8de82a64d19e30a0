/**
 * The only module that calls PagerDuty's write endpoints (client.writes), one call per desired state, each
 * in its idempotent form: PUT membership is an upsert, a DELETE answered 404 is done, a role change to the
 * role the user already has is a no-op in PagerDuty. User creation is not idempotent in PagerDuty, so the
 * executor always reads by e-mail before it repeats one (execute.ts).
 */
import { createPagerDutyClient, type PagerDutyClient, type RequestBudget } from "@/lib/pagerduty";
import { openCredential, toPagerDutyCredential, type StoredCredential } from "@/lib/connections/credential";
import type { PdTeamRole, PdUserRole } from "@/lib/pagerduty";
import type { Desired } from "./types";

export interface PipelineClients {
  /** Reads (pre-reads and verification): the client's own retries on 5xx, timeouts and 429. */
  read: PagerDutyClient;
  /**
   * Writes: 429 is retried (PagerDuty did nothing), but a 5xx or timeout is not, because the write may
   * have been applied before the failure was answered; the executor re-reads first instead.
   */
  write: PagerDutyClient;
}

export interface ClientSettings {
  timeoutMs?: number;
  baseDelayMs?: number;
  budget?: RequestBudget;
  /** Send through this fetch instead of the default transport (tests hold or fail chosen requests). */
  fetch?: typeof fetch;
}

export function pipelineClients(row: StoredCredential, fromEmail: string | undefined, settings: ClientSettings = {}): PipelineClients {
  const credential = toPagerDutyCredential(row, openCredential(row));
  const common = { baseUrl: row.apiBaseUrl, credential, fromEmail, timeoutMs: settings.timeoutMs ?? 20_000, budget: settings.budget, fetch: settings.fetch };
  return {
    read: createPagerDutyClient({ ...common, retry: { attempts: 4, baseDelayMs: settings.baseDelayMs ?? 250 } }),
    write: createPagerDutyClient({ ...common, retry: { attempts: 1, baseDelayMs: settings.baseDelayMs ?? 250 } }),
  };
}

/** Sends the one request that makes PagerDuty show `desired`. Returns the new user's id for a creation. */
export async function writeChange(client: PagerDutyClient, desired: Desired): Promise<{ userId?: string }> {
  switch (desired.kind) {
    case "TEAM_MEMBER_PUT":
      await client.writes.putTeamMember(desired.teamId, desired.userId, desired.role as PdTeamRole);
      return {};
    case "TEAM_MEMBER_REMOVE":
      await client.writes.deleteTeamMember(desired.teamId, desired.userId);
      return {};
    case "USER_ROLE_CHANGE":
      await client.writes.updateUserRole(desired.userId, desired.role as PdUserRole);
      return {};
    case "USER_CREATE": {
      const user = await client.writes.createUser({
        name: desired.name,
        email: desired.email,
        role: desired.role as PdUserRole | undefined,
        licenseId: desired.licenseId,
        timeZone: desired.timeZone,
        jobTitle: desired.jobTitle,
      });
      return { userId: user.id };
    }
    case "USER_DELETE":
      await client.writes.deleteUser(desired.userId);
      return {};
    case "USER_SIGN_OUT":
      await client.writes.deleteOauthDelegations(desired.userId, desired.types);
      return {};
  }
}
