/**
 * Who made a change, from PagerDuty audit records (NOTES §2.8). An index over records answers "which
 * record explains that this user holds this entitlement now": a `members` reference added or a
 * `members.role` field on the team, a `role` field (or the creation) of the user, a change on the schedule.
 */
import type { PdAuditRecord } from "@/lib/pagerduty";

export type ChangeMethodName = "BROWSER" | "API_TOKEN" | "OAUTH" | "IDENTITY_PROVIDER" | "OTHER" | "UNKNOWN";

export interface Attribution {
  /** "user", "api_key", "app", or "unknown" when no record explains the change. */
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  method: ChangeMethodName;
  changedAt: Date | null;
  auditRecordId: string | null;
}

export const UNKNOWN_ATTRIBUTION: Attribution = { actorType: "unknown", actorId: null, actorLabel: null, method: "UNKNOWN", changedAt: null, auditRecordId: null };

export interface GrantSubject {
  entitlement: "BASE_ROLE" | "TEAM_MEMBER" | "SCHEDULE_MEMBER";
  pdUserId: string;
  teamPdId: string | null;
  schedulePdId: string | null;
}

const METHODS: Record<string, ChangeMethodName> = { browser: "BROWSER", api_token: "API_TOKEN", oauth: "OAUTH", identity_provider: "IDENTITY_PROVIDER", other: "OTHER" };

export function attributionOf(record: PdAuditRecord): Attribution {
  const actor = record.actors[0];
  const type = actor?.type ?? "";
  return {
    actorType: type.startsWith("user") ? "user" : type.startsWith("api_key") ? "api_key" : type.startsWith("app") ? "app" : type ? type.replace(/_reference$/, "") : "unknown",
    actorId: actor?.id ?? null,
    actorLabel: actor?.summary ?? null,
    method: METHODS[record.method?.type ?? ""] ?? (record.method ? "OTHER" : "UNKNOWN"),
    changedAt: new Date(record.execution_time),
    auditRecordId: record.id,
  };
}

const kindOf = (type: string | undefined) => (type ?? "").replace(/_reference$/, "");

export class AttributionIndex {
  private readonly byKey = new Map<string, PdAuditRecord>();

  constructor(records: Iterable<PdAuditRecord> = []) {
    this.add(records);
  }

  add(records: Iterable<PdAuditRecord>): void {
    for (const r of records) for (const key of keysOf(r)) this.keep(key, r);
  }

  get size(): number {
    return this.byKey.size;
  }

  find(subject: GrantSubject): Attribution | null {
    const keys =
      subject.entitlement === "TEAM_MEMBER"
        ? [`team:${subject.teamPdId}:${subject.pdUserId}`]
        : subject.entitlement === "BASE_ROLE"
          ? [`user:${subject.pdUserId}`]
          : [`schedule:${subject.schedulePdId}:${subject.pdUserId}`, `schedule:${subject.schedulePdId}`];
    for (const key of keys) {
      const record = this.byKey.get(key);
      if (record) return attributionOf(record);
    }
    return null;
  }

  /** The newest record wins: it set the state that holds now. */
  private keep(key: string, r: PdAuditRecord): void {
    const current = this.byKey.get(key);
    if (!current || current.execution_time < r.execution_time || (current.execution_time === r.execution_time && current.id < r.id)) this.byKey.set(key, r);
  }
}

function keysOf(r: PdAuditRecord): string[] {
  const root = r.root_resource;
  const kind = kindOf(root.type);
  const details = r.details;
  const keys: string[] = [];
  if (kind === "team") {
    for (const ref of details?.references ?? []) if (ref.name === "members") for (const u of ref.added) keys.push(`team:${root.id}:${u.id}`);
    if (details?.fields.some((f) => f.name === "members.role") && details.resource && kindOf(details.resource.type) === "user") keys.push(`team:${root.id}:${details.resource.id}`);
  } else if (kind === "user") {
    if (r.action === "create" || details?.fields.some((f) => f.name === "role")) keys.push(`user:${root.id}`);
  } else if (kind === "schedule") {
    keys.push(`schedule:${root.id}`);
    for (const ref of details?.references ?? []) for (const u of ref.added) if (kindOf(u.type) === "user") keys.push(`schedule:${root.id}:${u.id}`);
  }
  return keys;
}
