/**
 * What leaves the server about a connection. Built from an explicit field list that does not include the
 * ciphertext, so a secret cannot reach a page (or an audit event) by accident.
 */
import type { Prisma } from "@/lib/generated/prisma/client";
import { describeCapabilities, rotationStatus, type RotationStatus } from "./capabilities";
import { effectiveTokenUrl, hasCustomEndpoint, instanceUrl } from "./instance";
import { shortFingerprint } from "./redact";

export const connectionPublicSelect = {
  id: true,
  name: true,
  subdomain: true,
  region: true,
  apiBaseUrl: true,
  oauthTokenUrl: true,
  credentialKind: true,
  oauthClientId: true,
  credentialFingerprint: true,
  accessLevel: true,
  readOnly: true,
  abilities: true,
  scopes: true,
  lastCheckedAt: true,
  lastCheckOk: true,
  lastCheckError: true,
  ownerPersonId: true,
  purpose: true,
  rotationPeriodDays: true,
  createdAt: true,
  updatedAt: true,
  lastRotatedAt: true,
  lastUsedAt: true,
  status: true,
  removedAt: true,
  syncIntervalMinutes: true,
  owner: { select: { id: true, name: true, email: true, status: true } },
} satisfies Prisma.PagerDutyConnectionSelect;

export type ConnectionPublicRow = Prisma.PagerDutyConnectionGetPayload<{ select: typeof connectionPublicSelect }>;

/** A connection as pages see it: no secret, no ciphertext; the credential only by its fingerprint. */
export interface ConnectionDto {
  id: string;
  name: string;
  subdomain: string;
  region: "US" | "EU";
  apiBaseUrl: string;
  /** Explicit OAuth token URL, or null for the default. */
  oauthTokenUrl: string | null;
  /** The account's address, as an admin gave it: https://acme.pagerduty.com or https://acme.eu.pagerduty.com. */
  instanceUrl: string;
  /** Where an OAuth app's token is asked for (derived unless set). */
  tokenUrl: string;
  /** The API or token URL is not PagerDuty's derived one (an allow-listed proxy or simulator). */
  customEndpoint: boolean;
  credentialKind: "API_KEY" | "OAUTH";
  /** OAuth client id (not a secret); null for API keys. */
  oauthClientId: string | null;
  /** First 12 hex characters of the credential's SHA-256 fingerprint. */
  fingerprint: string;
  accessLevel: "FULL" | "READ_ONLY" | "UNKNOWN";
  /** Write-back disabled (anything but FULL access). */
  readOnly: boolean;
  abilities: string[];
  scopes: string[];
  lastCheckedAt: Date | null;
  lastCheckOk: boolean | null;
  lastCheckError: string | null;
  owner: { id: string; name: string; email: string; active: boolean };
  purpose: string;
  rotationPeriodDays: number;
  createdAt: Date;
  updatedAt: Date;
  lastRotatedAt: Date;
  lastUsedAt: Date | null;
  status: "ACTIVE" | "DISABLED" | "REMOVED";
  removedAt: Date | null;
  syncIntervalMinutes: number;
  rotation: RotationStatus;
  /** Plain-language limits of this credential (describeCapabilities). */
  capabilities: string[];
}

/** The row's plain fields as both pages and audit events may see them. */
function publicFields(row: Omit<ConnectionPublicRow, "owner" | "createdAt" | "updatedAt">) {
  return {
    name: row.name,
    subdomain: row.subdomain,
    region: row.region,
    apiBaseUrl: row.apiBaseUrl,
    oauthTokenUrl: row.oauthTokenUrl,
    credentialKind: row.credentialKind,
    oauthClientId: row.oauthClientId,
    fingerprint: shortFingerprint(row.credentialFingerprint),
    accessLevel: row.accessLevel,
    readOnly: row.readOnly,
    abilities: [...row.abilities],
    scopes: [...row.scopes],
    purpose: row.purpose,
    rotationPeriodDays: row.rotationPeriodDays,
    syncIntervalMinutes: row.syncIntervalMinutes,
    status: row.status,
    lastRotatedAt: row.lastRotatedAt,
    lastCheckOk: row.lastCheckOk,
    lastCheckError: row.lastCheckError,
  };
}

export function toConnectionDto(row: ConnectionPublicRow, now: Date = new Date()): ConnectionDto {
  const base = {
    ...publicFields(row),
    id: row.id,
    lastCheckedAt: row.lastCheckedAt,
    owner: { id: row.owner.id, name: row.owner.name, email: row.owner.email, active: row.owner.status === "ACTIVE" },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastUsedAt: row.lastUsedAt,
    removedAt: row.removedAt,
  };
  return {
    ...base,
    instanceUrl: instanceUrl(row),
    tokenUrl: effectiveTokenUrl(row),
    customEndpoint: hasCustomEndpoint(row),
    rotation: rotationStatus(base, now),
    capabilities: describeCapabilities(base),
  };
}

/** The fields an audit event records about a connection (before/after): never a secret or ciphertext. */
export function auditSnapshot(row: Omit<ConnectionPublicRow, "owner" | "createdAt" | "updatedAt">) {
  const fields = publicFields(row);
  return { ...fields, ownerPersonId: row.ownerPersonId, lastRotatedAt: fields.lastRotatedAt.toISOString() };
}
export type AuditSnapshot = ReturnType<typeof auditSnapshot>;
