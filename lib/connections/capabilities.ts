/**
 * Pure functions about a connection for the pages: what the portal can and cannot do with its credential,
 * and where its rotation stands. No I/O, no secrets: they take the plain fields a DTO carries.
 */

export type AccessLevelName = "FULL" | "READ_ONLY" | "UNKNOWN";

/** The OAuth scopes the portal asks for (NOTES §1.3): sync reads, write-back, abilities, audit trail. */
export const PORTAL_OAUTH_SCOPES = [
  "users.read",
  "users.write",
  "teams.read",
  "teams.write",
  "schedules.read",
  "schedules.write",
  "oncalls.read",
  "escalation_policies.read",
  "audit_records.read",
  "abilities.read",
  "licenses.read",
] as const;

export interface CapabilityFacts {
  accessLevel: AccessLevelName;
  credentialKind: "API_KEY" | "OAUTH";
  abilities: readonly string[];
  scopes: readonly string[];
  status?: "ACTIVE" | "DISABLED" | "REMOVED";
  lastCheckOk?: boolean | null;
  lastCheckedAt?: Date | string | null;
}

/** Write-back needs a full-access credential; anything else (read-only, undetermined) disables it. */
export function isReadOnly(accessLevel: AccessLevelName): boolean {
  return accessLevel !== "FULL";
}

/**
 * Plain-language lines for the connection page: what the portal cannot do with this credential, and why.
 * Empty when nothing is limited.
 */
export function describeCapabilities(connection: CapabilityFacts): string[] {
  const lines: string[] = [];
  if (connection.status === "REMOVED") return ["Removed: the portal no longer uses this connection; its history is kept."];
  if (connection.status === "DISABLED") lines.push("Disabled: no syncs and no write-back until the connection is enabled again.");
  if (connection.lastCheckOk === false) lines.push("The last credential check failed: syncs and write-back will fail until the credential is fixed or rotated.");
  if (connection.accessLevel === "READ_ONLY") {
    lines.push("Write-back disabled: this is a read-only key. Approved changes (reviews, requests, lifecycle) cannot be pushed to PagerDuty.");
  } else if (connection.accessLevel === "UNKNOWN") {
    lines.push("Write-back disabled: whether this credential may write could not be determined. Check the connection again, or use a full-access key.");
  }

  const abilities = new Set(connection.abilities);
  // An empty list means the abilities could not be read (e.g. no abilities.read scope): say so once
  // instead of claiming every feature is missing.
  if (abilities.size === 0) {
    if (connection.lastCheckedAt) lines.push("The account's abilities could not be read: which features it has (teams, audit trail) is unknown until a check can read them.");
  } else {
    if (!abilities.has("teams")) lines.push("Teams cannot be synced: the account lacks the teams ability.");
    if (!abilities.has("audit_trail")) lines.push("Incremental sync unavailable: no audit-trail ability — full sync every run, and drift cannot be attributed to who made the change.");
    if (!abilities.has("read_only_users")) lines.push("Read-only users are not available on this account: the Restricted Access and Observer base roles cannot be granted.");
  }

  if (connection.credentialKind === "OAUTH" && connection.scopes.length > 0) {
    const granted = new Set(connection.scopes);
    const missing = PORTAL_OAUTH_SCOPES.filter((s) => !granted.has(s));
    const reads = missing.filter((s) => s.endsWith(".read"));
    const writes = missing.filter((s) => s.endsWith(".write"));
    if (reads.length) lines.push(`Some data cannot be synced: the OAuth app was not granted ${reads.join(", ")}.`);
    if (writes.length && connection.accessLevel === "FULL") lines.push(`Some changes cannot be written back: the OAuth app was not granted ${writes.join(", ")}.`);
  }
  return lines;
}

export interface RotationStatus {
  /** When the credential should have been rotated by: last rotation + rotation period. */
  dueAt: Date;
  overdue: boolean;
  /** Whole days until due (negative when overdue; 0 on the due day). */
  daysLeft: number;
  /** Due within 14 days (or overdue): the dashboard warns. */
  dueSoon: boolean;
}

const DAY_MS = 86_400_000;

export function rotationStatus(connection: { lastRotatedAt: Date | string; rotationPeriodDays: number }, now: Date = new Date()): RotationStatus {
  const last = new Date(connection.lastRotatedAt);
  const dueAt = new Date(last.getTime() + connection.rotationPeriodDays * DAY_MS);
  const remaining = dueAt.getTime() - now.getTime();
  const daysLeft = remaining >= 0 ? Math.floor(remaining / DAY_MS) : -Math.ceil(-remaining / DAY_MS);
  return { dueAt, overdue: remaining < 0, daysLeft, dueSoon: remaining < 14 * DAY_MS };
}
