/**
 * The vocabulary of access reviews shared by the domain (lib/reviews), the server actions and the pages:
 * DTOs only (plain, serialisable: dates as ISO strings), no I/O.
 */

export type ItemKind = "BASE_ROLE" | "TEAM_MEMBER" | "SCHEDULE_MEMBER" | "CREDENTIAL" | "JIT_GRANT";
export const ITEM_KINDS: readonly ItemKind[] = ["BASE_ROLE", "TEAM_MEMBER", "SCHEDULE_MEMBER", "CREDENTIAL", "JIT_GRANT"];
export type DecisionKind = "CERTIFY" | "REVOKE" | "MODIFY";
export const DECISION_KINDS: readonly DecisionKind[] = ["CERTIFY", "REVOKE", "MODIFY"];
export type CampaignStatus = "DRAFT" | "ACTIVE" | "CLOSED";
export type ItemState = "PENDING" | "DECIDED" | "EXCEPTION";
export type RemediationState = "NONE" | "PENDING" | "VERIFIED" | "FAILED" | "MANUAL";

/** Risk badges of an item. */
export type Risk = "admin_or_owner" | "team_manager" | "no_oncall_90d" | "unmatched_identity" | "pending_invitation" | "drift" | "api_only";
export const RISKS: readonly Risk[] = ["admin_or_owner", "team_manager", "no_oncall_90d", "unmatched_identity", "pending_invitation", "drift", "api_only"];
export const RISK_LABELS: Record<Risk, string> = {
  admin_or_owner: "Admin or owner",
  team_manager: "Team manager",
  no_oncall_90d: "No on-call shift in 90 days",
  unmatched_identity: "Unmatched identity",
  pending_invitation: "Pending invitation",
  drift: "Came from drift",
  api_only: "API-only user",
};

/** How a step picks the reviewer of an item. */
export type ReviewerPolicyKind = "team_managers" | "owners" | "manager" | "people";
export interface ReviewerStep {
  kind: ReviewerPolicyKind;
  /** "people": the named reviewers (the first eligible one gets the item). */
  personIds?: string[];
}
export interface ReviewerPolicy {
  /** One or two steps; step 2 must be decided by a different person than step 1. */
  steps: ReviewerStep[];
}

export interface CampaignScope {
  kinds: ItemKind[];
  /** Only these teams (team and schedule memberships of these teams; people on them for base roles). */
  teamPdIds?: string[];
  /** Only these roles (base roles or team roles), e.g. ["admin", "owner"]. */
  roles?: string[];
  /** Only grants that came from drift. */
  onlyDrift?: boolean;
}

/** A decision in a draft, a bulk decision or a submission. `role`: the new role for MODIFY. */
export interface DecisionInput {
  itemId: string;
  decision: DecisionKind;
  role?: string;
  justification?: string;
}

// ---- Queries --------------------------------------------------------------------------------------

export interface CampaignSummary {
  id: string;
  name: string;
  status: CampaignStatus;
  dueAt: string;
  overdue: boolean;
  itemCount: number;
  decided: number;
  exceptions: number;
  createdAt: string;
  launchedAt: string | null;
  closedAt: string | null;
  forceClosed: boolean;
  recurrenceMonths: number | null;
}

/** One row of "My reviews": a campaign with items the signed-in person may decide (own or delegated). */
export interface MyReview {
  campaignId: string;
  name: string;
  dueAt: string;
  overdue: boolean;
  assigned: number;
  decided: number;
  drafts: number;
  remaining: number;
  /** Names of people whose reviews this person decides as a delegate (empty: only their own). */
  delegatedFrom: string[];
}

export interface ManifestCount {
  kind: ItemKind;
  /** Items frozen into the campaign. */
  items: number;
  /** Live grants of that kind in the synced data at launch (all, before scope filters). */
  syncedTotal: number;
  /** Left out by the scope's filters (syncedTotal − items, for the grant kinds). */
  outOfScope: number;
}

export interface PopulationManifest {
  campaignId: string;
  launchedAt: string;
  launchedBy: string;
  connections: { id: string; name: string; syncRunId: string | null; syncedAt: string | null; stale: boolean; staleReason: string | null }[];
  staleOverrideReason: string | null;
  counts: ManifestCount[];
  totalItems: number;
  flags: { pendingInvitations: number; unmatchedIdentities: number; apiOnlyUsers: number; drift: number };
  /** SHA-256 (hex) of the snapshot: the items' canonical JSON lines in launch order. */
  sha256: string;
  /**
   * The period the campaign reviews (just-in-time grants live in it become items; its request history goes
   * into the evidence): from the previous occurrence's launch (or 90 days before a first campaign's) to launch.
   * Absent on campaigns launched before periods were recorded.
   */
  period?: { from: string; to: string; basis: "previous_occurrence" | "first_campaign_90_days" };
}

export interface CampaignDetail extends CampaignSummary {
  description: string;
  connectionIds: string[];
  scope: CampaignScope;
  policy: ReviewerPolicy;
  fallbackReviewer: { id: string; name: string } | null;
  justifyHighRisk: boolean;
  staleOverrideReason: string | null;
  manifest: PopulationManifest | null;
  closeReason: string | null;
  /** What the signed-in person may do here. */
  can: { manage: boolean; decide: boolean; exportEvidence: boolean };
}

export type WorkspaceStateFilter = "undecided" | "draft" | "decided" | "exception";
export type WorkspaceSort = "subject" | "entitlement" | "risk" | "state" | "reviewer";

export interface WorkspaceQuery {
  campaignId: string;
  /** "mine": items I may decide (own and delegated); "all": every item (admins and auditors only). */
  view: "mine" | "all";
  search?: string;
  teamPdId?: string;
  role?: string;
  risk?: Risk;
  state?: WorkspaceStateFilter;
  kind?: ItemKind;
  sort?: WorkspaceSort;
  dir?: "asc" | "desc";
  offset?: number;
  /** At most 500. */
  limit?: number;
}

export interface WorkspaceItem {
  id: string;
  seq: number;
  kind: ItemKind;
  subjectName: string;
  subjectEmail: string;
  subjectPersonId: string | null;
  pdUserId: string | null;
  entitlementLabel: string;
  role: string | null;
  teamPdId: string | null;
  teamName: string | null;
  risks: Risk[];
  riskScore: number;
  state: ItemState;
  step: number;
  reviewerId: string | null;
  reviewerName: string | null;
  reviewerReason: string;
  draft: { decision: DecisionKind; role: string | null; justification: string | null } | null;
  decision: { decision: DecisionKind; role: string | null; justification: string | null; decidedAt: string; decidedBy: string | null } | null;
  remediation: RemediationState;
  remediationError: string | null;
  verifiedAt: string | null;
  exceptionReason: string | null;
  /** The signed-in person may decide it now (their item or a delegate's, active campaign, not their own access). */
  decidable: boolean;
  /** Roles MODIFY may choose for this item (base roles or team roles); empty: MODIFY not possible. */
  modifyRoles: string[];
  /** JIT_GRANT items: the access request reviewed (its page is /requests/<id>). */
  requestId: string | null;
}

export interface WorkspacePage {
  items: WorkspaceItem[];
  total: number;
  offset: number;
  limit: number;
  /** For the filter menus: teams and roles present in the campaign (the whole campaign, not the page). */
  facets: { teams: { id: string; name: string }[]; roles: string[] };
  /** Counts over the same view without the state filter. */
  counts: { undecided: number; draft: number; decided: number; exception: number };
}

export interface ItemContext {
  item: WorkspaceItem;
  person: {
    name: string;
    email: string;
    pdUserId: string | null;
    baseRole: string | null;
    teams: { id: string; name: string; role: string }[];
    invitationPending: boolean;
    matchedPerson: { id: string; name: string } | null;
  };
  oncall: { last: { start: string | null; end: string | null; schedule: string | null } | null; next: { start: string | null; end: string | null; schedule: string | null } | null };
  drift: { origin: string | null; changedAt: string | null; actor: string | null; method: string | null } | null;
  /** Every submitted step decision, oldest first. */
  history: { step: number; decision: DecisionKind; role: string | null; justification: string | null; reviewer: string; reviewerReason: string; decidedAt: string }[];
  remediation: { state: RemediationState; changeId: string | null; changeStatus: string | null; error: string | null; fix: string | null; appliedAt: string | null; verifiedAt: string | null };
  /** JIT_GRANT items: the request behind the grant, as it stands now. */
  request: JitRequestContext | null;
}

export interface JitRequestContext {
  id: string;
  ref: string;
  href: string;
  item: string;
  requester: string;
  reason: string;
  ticket: string | null;
  durationMinutes: number;
  requestedAt: string;
  startsAt: string | null;
  endsAt: string | null;
  status: string;
  live: boolean;
  endReason: string | null;
  endedAt: string | null;
  policyVersion: number;
  approvals: { approver: string; right: string; at: string; comment: string | null; bulk: boolean; extension: string | null }[];
}

export interface ProgressSplit {
  total: number;
  decided: number;
  remaining: number;
  certified: number;
  revoked: number;
  modified: number;
  exceptions: number;
  remediation: { pending: number; verified: number; failed: number; manual: number };
}

export interface CampaignProgress extends ProgressSplit {
  campaignId: string;
  overdue: boolean;
  dueAt: string;
  byReviewer: (ProgressSplit & { reviewerId: string | null; reviewerName: string; overdue: boolean })[];
  byTeam: (ProgressSplit & { teamPdId: string | null; teamName: string })[];
  rubberStampSubmissions: number;
}

export interface InAppReminder {
  id: string;
  campaignId: string;
  campaignName: string;
  kind: "DUE_SOON" | "OVERDUE" | "ESCALATED";
  message: string;
  createdAt: string;
  read: boolean;
}

export interface DelegationRow {
  id: string;
  from: { id: string; name: string };
  to: { id: string; name: string };
  startsAt: string;
  endsAt: string;
  reason: string;
  active: boolean;
}

// ---- Command results ------------------------------------------------------------------------------

export interface LaunchResult {
  campaignId: string;
  itemCount: number;
  sha256: string;
}

/** submitDecisions: either submitted, or a second look is asked for (resubmit with acknowledgeRubberStamp: true). */
export type SubmitResult =
  | { submitted: true; count: number; certified: number; revoked: number; modified: number; remediations: number; rubberStamp: boolean; secondStep: number }
  | { submitted: false; rubberStampPrompt: { reason: string; count: number } };

export type EvidenceFormat = "csv" | "json" | "pdf";
