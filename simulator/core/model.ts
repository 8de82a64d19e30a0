/**
 * The simulator's data model: one PagerDuty account held in memory. Field names follow PagerDuty's API
 * (snake_case) where the value is sent as is; relations are kept as ids and turned into references by the
 * serialisers (simulator/http/serialize.ts). Schedules reuse the renderer's shapes (simulator/schedule).
 */
import type { SimSchedule } from "../schedule/types";

export type { SimSchedule, SimLayer, SimOverride, SimRestriction } from "../schedule/types";

/** PagerDuty's eight base roles (API values; NOTES §2.1). */
export const USER_ROLES = ["owner", "admin", "user", "limited_user", "observer", "restricted_access", "read_only_user", "read_only_limited_user"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const TEAM_ROLES = ["observer", "responder", "manager"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface SimUser {
  id: string;
  name: string;
  email: string;
  time_zone: string;
  color: string;
  role: UserRole;
  job_title: string | null;
  description: string | null;
  /** Invited but not yet accepted (PagerDuty's `invitation_sent`). */
  invitation_sent: boolean;
  created_via_sso: boolean;
  licenseId: string | null;
  /** When the license was allocated (license_allocations.allocated_at). */
  licenseAllocatedAt: string | null;
  createdAt: string;
}

export interface SimTeam {
  id: string;
  name: string;
  description: string | null;
  default_role: "manager" | "none";
  createdAt: string;
}

export interface SimMembership {
  teamId: string;
  userId: string;
  role: TeamRole;
}

export interface SimEscalationTarget {
  type: "user_reference" | "schedule_reference";
  id: string;
}

export interface SimEscalationRule {
  id: string;
  escalation_delay_in_minutes: number;
  targets: SimEscalationTarget[];
}

export interface SimEscalationPolicy {
  id: string;
  name: string;
  description: string | null;
  num_loops: number;
  on_call_handoff_notifications: "if_has_services" | "always";
  rules: SimEscalationRule[];
  /** PagerDuty allows at most one team per policy. */
  teamId: string | null;
}

export interface SimIncident {
  id: string;
  title: string;
  status: "triggered" | "acknowledged" | "resolved";
  /** Users the incident is assigned to (a user with an unresolved assigned incident cannot be deleted). */
  assigneeIds: string[];
  escalationPolicyId: string;
  createdAt: string;
}

export interface SimLicense {
  id: string;
  name: string;
  description: string;
  valid_roles: UserRole[];
  role_group: "FullUser" | "Stakeholder";
  /** Seats purchased; allocations_available = current_value − allocated. */
  current_value: number;
}

export interface SimReference {
  id: string;
  type: string;
  summary?: string;
}

/** One PagerDuty audit record (spec schema AuditRecord), stored as served. */
export interface SimAuditRecord {
  id: string;
  execution_time: string;
  execution_context: { request_id: string | null; remote_address: string | null };
  actors: SimReference[];
  method: { type: "browser" | "oauth" | "api_token" | "identity_provider" | "other"; truncated_token?: string | null; description?: string | null };
  root_resource: SimReference;
  action: string;
  details: {
    resource?: SimReference;
    fields?: { name: string; description?: string; value?: string | null; before_value?: string | null }[];
    references?: { name: string; description?: string; added?: SimReference[]; removed?: SimReference[] }[];
  } | null;
}

/** Who made a request: decides what it may do, its rate bucket, and how its writes are audited. */
export type Principal =
  | { kind: "api_key"; key: string; access: "full" | "read_only"; label: string }
  /** A user-level API key: acts as that user (GET /users/me works). */
  | { kind: "user_key"; key: string; userId: string; label: string }
  | { kind: "oauth"; token: string; clientId: string; appName: string; scopes: ReadonlySet<string>; expiresAt: number }
  /** An out-of-band edit through the control API, as if an admin clicked in PagerDuty's web UI. */
  | { kind: "browser"; userId: string };

/** Everything one simulated account holds. Mutate only through SimState's methods (they write audit records). */
export interface SimData {
  subdomain: string;
  abilities: Set<string>;
  users: Map<string, SimUser>;
  teams: Map<string, SimTeam>;
  /** key `${teamId}:${userId}` */
  memberships: Map<string, SimMembership>;
  schedules: Map<string, SimSchedule>;
  escalationPolicies: Map<string, SimEscalationPolicy>;
  incidents: Map<string, SimIncident>;
  licenses: Map<string, SimLicense>;
  /** Newest last (served newest first). */
  auditRecords: SimAuditRecord[];
}
