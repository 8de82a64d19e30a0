/**
 * INVALID INPUT: every server action, given malformed input by a caller who would otherwise be allowed,
 * answers ok:false with a message a person can act on, never throws (no 500), and writes nothing.
 * A new action without a row here fails the suite: add its row.
 */
import { describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock, request } from "./support/request";
import { setupAuthTestDb } from "./support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import type { Db } from "@/lib/db";
import { PortalRole, type Person } from "@/lib/generated/prisma/client";
import { callAction, discoverServerActions, isRefusal, worldFingerprint, type ServerAction } from "./support/actions";
import { createPerson, signInAs } from "./support/fixtures";
import { KEYS } from "../connections/support/pagerduty";

process.env.DEMO_MODE = "true";

const LONG = "x".repeat(10_000);
const UNKNOWN_ID = "cl0000000000000000unknown";
/** Well-formed (a UUID, as change and batch ids are) but unknown. */
const UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000";

/** Malformed inputs every action taking input must refuse cleanly. */
const GENERIC: Array<[string, unknown]> = [
  ["undefined", undefined],
  ["null", null],
  ["a number", 42],
  ["a string", "personId"],
  ["a boolean", true],
  ["an array", [1, 2, 3]],
  ["an empty object", {}],
  ["a date", new Date()],
  ["a wrong-typed id", { personId: 42 }],
  ["an empty id", { personId: "" }],
  ["an over-long id", { personId: LONG }],
  ["nested garbage", { personId: { $ne: null } }],
];

interface InputRow {
  /** The kind of caller that would be allowed with valid input. */
  as: PortalRole | "anonymous";
  /** Action-specific malformed inputs (unknown ids, out-of-range values, …), on top of GENERIC. */
  cases?: (target: Person) => Array<[string, unknown]>;
  /** Labels of GENERIC inputs that are valid for this action (e.g. "an empty object" for an action without options). */
  genericValid?: string[];
  /** The action takes no input: anything passed is ignored, and it ends in this redirect. */
  ignoresInputAndRedirectsTo?: string;
}

const ROWS: Record<string, InputRow> = {
  "app/(portal)/admin/people/actions.ts#setPersonRoles": {
    as: PortalRole.ADMIN,
    cases: (p) => [
      ["an unknown person", { personId: UNKNOWN_ID, roles: [PortalRole.AUDITOR] }],
      ["missing roles", { personId: p.id }],
      ["roles not a list", { personId: p.id, roles: "ADMIN" }],
      ["an unknown role", { personId: p.id, roles: ["ROOT"] }],
      ["a lower-case role", { personId: p.id, roles: ["admin"] }],
      ["too many roles", { personId: p.id, roles: ["ADMIN", "AUDITOR", "MEMBER", "ADMIN"] }],
      ["roles of the wrong type", { personId: p.id, roles: [1, null] }],
    ],
  },
  "app/(portal)/admin/people/actions.ts#deactivatePerson": {
    as: PortalRole.ADMIN,
    cases: (p) => [
      ["an unknown person", { personId: UNKNOWN_ID, reason: "Left the company" }],
      ["a missing reason", { personId: p.id }],
      ["a blank reason", { personId: p.id, reason: "   " }],
      ["a too-short reason", { personId: p.id, reason: "no" }],
      ["an over-long reason", { personId: p.id, reason: "r".repeat(501) }],
      ["a reason that is not text", { personId: p.id, reason: 12345 }],
    ],
  },
  "app/(portal)/admin/people/actions.ts#reactivatePerson": {
    as: PortalRole.ADMIN,
    cases: (p) => [
      ["an unknown person", { personId: UNKNOWN_ID, reason: "Came back" }],
      ["an already active person", { personId: p.id, reason: "Came back" }],
      ["a missing reason", { personId: p.id }],
      ["an over-long reason", { personId: p.id, reason: "r".repeat(501) }],
    ],
  },
  // Connections (a refused or changed credential on an existing connection: tests/connections).
  "app/(portal)/admin/connections/actions.ts#createConnection": {
    as: PortalRole.ADMIN,
    cases: (p) => {
      const ok = { name: "Acme invalid", subdomain: "acme", region: "US", ownerPersonId: p.id, purpose: "Access reviews", credentialKind: "API_KEY", apiKey: KEYS.full };
      return [
        ["an unknown credential kind", { ...ok, credentialKind: "PASSWORD" }],
        ["a missing API key", { ...ok, apiKey: undefined }],
        ["an API key with spaces", { ...ok, apiKey: "abc def ghi jkl" }],
        ["a too-short API key", { ...ok, apiKey: "abc" }],
        ["an OAuth app without a secret", { ...ok, credentialKind: "OAUTH", apiKey: undefined, oauthClientId: "cid" }],
        ["an unknown region", { ...ok, region: "APAC" }],
        ["a bad subdomain", { ...ok, subdomain: "acme corp!" }],
        ["an API URL that is not http(s)", { ...ok, apiBaseUrl: "ftp://example.com" }],
        ["an API URL with credentials", { ...ok, apiBaseUrl: "https://user:pass@api.pagerduty.com" }],
        ["a one-letter name", { ...ok, name: "A" }],
        ["a blank purpose", { ...ok, purpose: "   " }],
        ["a rotation period of 0", { ...ok, rotationPeriodDays: 0 }],
        ["a fractional sync interval", { ...ok, syncIntervalMinutes: 7.5 }],
        ["an unknown owner", { ...ok, ownerPersonId: UNKNOWN_ID }],
        ["an unknown field", { ...ok, admin: true }],
        ["an address where no PagerDuty answers", { ...ok, apiKey: KEYS.wrong, apiBaseUrl: "http://127.0.0.1:9" }],
      ];
    },
  },
  "app/(portal)/admin/connections/actions.ts#updateConnection": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown connection", { connectionId: UNKNOWN_ID, purpose: "Quarterly reviews" }],
      ["nothing to change", { connectionId: UNKNOWN_ID }],
      ["an unknown field", { connectionId: UNKNOWN_ID, apiKey: KEYS.full }],
      ["a negative rotation period", { connectionId: UNKNOWN_ID, rotationPeriodDays: -5 }],
      ["a bad API URL", { connectionId: UNKNOWN_ID, apiBaseUrl: "not a url" }],
    ],
  },
  "app/(portal)/admin/connections/actions.ts#disableConnection": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown connection", { connectionId: UNKNOWN_ID }],
      ["a reason that is not text", { connectionId: UNKNOWN_ID, reason: 42 }],
    ],
  },
  "app/(portal)/admin/connections/actions.ts#enableConnection": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown connection", { connectionId: UNKNOWN_ID }],
      ["an over-long reason", { connectionId: UNKNOWN_ID, reason: "r".repeat(501) }],
    ],
  },
  "app/(portal)/admin/connections/actions.ts#removeConnection": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown connection", { connectionId: UNKNOWN_ID, confirmName: "Acme" }],
      ["a missing confirmation", { connectionId: UNKNOWN_ID }],
      ["a blank confirmation", { connectionId: UNKNOWN_ID, confirmName: "  " }],
    ],
  },
  "app/(portal)/admin/connections/actions.ts#rotateCredential": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown connection", { connectionId: UNKNOWN_ID, apiKey: KEYS.fullNext }],
      ["no new credential", { connectionId: UNKNOWN_ID }],
      ["an empty key", { connectionId: UNKNOWN_ID, apiKey: "" }],
      ["a key that is not text", { connectionId: UNKNOWN_ID, apiKey: 12345678 }],
    ],
  },
  "app/(portal)/admin/connections/actions.ts#checkConnection": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown connection", { connectionId: UNKNOWN_ID }],
      ["an unknown field", { connectionId: UNKNOWN_ID, force: true }],
    ],
  },
  "app/(portal)/admin/connections/actions.ts#syncConnectionNow": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown connection", { connectionId: UNKNOWN_ID }],
      ["an unknown field", { connectionId: UNKNOWN_ID, kind: "FULL" }],
    ],
  },
  "app/(portal)/pagerduty/matching/actions.ts#setPagerDutyAlias": {
    as: PortalRole.ADMIN,
    cases: (p) => [
      ["an unknown connection", { connectionId: UNKNOWN_ID, personId: p.id, pdUserId: "PABC123" }],
      ["a missing PagerDuty user", { connectionId: UNKNOWN_ID, personId: p.id }],
      ["an empty PagerDuty user id", { connectionId: UNKNOWN_ID, personId: p.id, pdUserId: "" }],
      ["a PagerDuty user id that is not text", { connectionId: UNKNOWN_ID, personId: p.id, pdUserId: 7 }],
      ["a PagerDuty user id with a path in it", { connectionId: UNKNOWN_ID, personId: p.id, pdUserId: "../PABC" }],
      ["an unknown field", { connectionId: UNKNOWN_ID, personId: p.id, pdUserId: "PABC123", force: true }],
    ],
  },
  // The change queue: ids are UUIDs; reasons are required where the audit trail records one.
  "app/(portal)/admin/changes/actions.ts#approveChangeBatch": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown batch", { batchId: UNKNOWN_UUID }],
      ["an id that is not a UUID", { batchId: UNKNOWN_ID }],
      ["an over-long reason", { batchId: UNKNOWN_UUID, reason: "r".repeat(501) }],
      ["an unknown field", { batchId: UNKNOWN_UUID, force: true }],
    ],
  },
  "app/(portal)/admin/changes/actions.ts#rejectChangeBatch": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown batch", { batchId: UNKNOWN_UUID, reason: "Wrong group mapped" }],
      ["a missing reason", { batchId: UNKNOWN_UUID }],
      ["a blank reason", { batchId: UNKNOWN_UUID, reason: "   " }],
      ["a reason that is not text", { batchId: UNKNOWN_UUID, reason: 42 }],
    ],
  },
  "app/(portal)/admin/changes/actions.ts#retryFailedChange": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown change", { changeId: UNKNOWN_UUID }],
      ["an id that is not a UUID", { changeId: "../changes" }],
      ["an unknown field", { changeId: UNKNOWN_UUID, now: true }],
    ],
  },
  "app/(portal)/admin/changes/actions.ts#cancelQueuedChange": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown change", { changeId: UNKNOWN_UUID, reason: "No longer needed" }],
      ["a missing reason", { changeId: UNKNOWN_UUID }],
      ["a too-short reason", { changeId: UNKNOWN_UUID, reason: "no" }],
    ],
  },
  "app/(portal)/admin/changes/actions.ts#undoAppliedChange": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown change", { changeId: UNKNOWN_UUID, reason: "Downgraded by mistake" }],
      ["a missing reason", { changeId: UNKNOWN_UUID }],
      ["an unknown coverage choice", { changeId: UNKNOWN_UUID, reason: "Downgraded by mistake", coverage: "never" }],
      ["an over-long reason", { changeId: UNKNOWN_UUID, reason: "r".repeat(501) }],
    ],
  },
  // Access reviews: ids are UUIDs (people: cuid-like ids); reasons and justifications are bounded text.
  "app/(portal)/reviews/actions.ts#saveDrafts": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID, decisions: [{ itemId: UNKNOWN_UUID, decision: "CERTIFY" }] }],
      ["no decisions", { campaignId: UNKNOWN_UUID, decisions: [] }],
      ["an unknown decision", { campaignId: UNKNOWN_UUID, decisions: [{ itemId: UNKNOWN_UUID, decision: "APPROVE" }] }],
      ["an item id that is not a UUID", { campaignId: UNKNOWN_UUID, decisions: [{ itemId: "../items", decision: "CERTIFY" }] }],
      ["an unknown role", { campaignId: UNKNOWN_UUID, decisions: [{ itemId: UNKNOWN_UUID, decision: "MODIFY", role: "superuser" }] }],
      ["an over-long justification", { campaignId: UNKNOWN_UUID, decisions: [{ itemId: UNKNOWN_UUID, decision: "REVOKE", justification: LONG }] }],
    ],
  },
  "app/(portal)/reviews/actions.ts#clearDrafts": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID] }],
      ["no items", { campaignId: UNKNOWN_UUID, itemIds: [] }],
    ],
  },
  "app/(portal)/reviews/actions.ts#bulkDecide": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], decision: "CERTIFY" }],
      ["a missing decision", { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID] }],
      ["items not a list", { campaignId: UNKNOWN_UUID, itemIds: UNKNOWN_UUID, decision: "CERTIFY" }],
      ["too many items", { campaignId: UNKNOWN_UUID, itemIds: Array.from({ length: 10_001 }, () => UNKNOWN_UUID), decision: "CERTIFY" }],
    ],
  },
  "app/(portal)/reviews/actions.ts#submitDecisions": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID }],
      ["a campaign id that is not a UUID", { campaignId: UNKNOWN_ID }],
      ["an acknowledgement that is not a boolean", { campaignId: UNKNOWN_UUID, acknowledgeRubberStamp: "yes" }],
    ],
  },
  "app/(portal)/reviews/actions.ts#delegateReviews": {
    as: PortalRole.MEMBER,
    cases: (p) => [
      ["an unknown delegate", { toPersonId: UNKNOWN_ID, startsAt: "2030-01-01T00:00:00Z", endsAt: "2030-01-05T00:00:00Z", reason: "On holiday" }],
      ["an end before the start", { toPersonId: p.id, startsAt: "2030-01-05T00:00:00Z", endsAt: "2030-01-01T00:00:00Z", reason: "On holiday" }],
      ["a window over 90 days", { toPersonId: p.id, startsAt: "2030-01-01T00:00:00Z", endsAt: "2030-12-01T00:00:00Z", reason: "On holiday" }],
      ["a date that is not a date", { toPersonId: p.id, startsAt: "tomorrow", endsAt: "2030-01-05T00:00:00Z", reason: "On holiday" }],
      ["a window in the past", { toPersonId: p.id, startsAt: "2001-01-01T00:00:00Z", endsAt: "2001-01-05T00:00:00Z", reason: "On holiday" }],
      ["a missing reason", { toPersonId: p.id, startsAt: "2030-01-01T00:00:00Z", endsAt: "2030-01-05T00:00:00Z" }],
    ],
  },
  "app/(portal)/reviews/actions.ts#revokeDelegation": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown delegation", { delegationId: UNKNOWN_UUID }],
      ["an id that is not a UUID", { delegationId: UNKNOWN_ID }],
    ],
  },
  "app/(portal)/reviews/actions.ts#reassignMyItems": {
    as: PortalRole.MEMBER,
    cases: (p) => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], toPersonId: p.id, reason: "Knows the team" }],
      ["a missing reason", { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], toPersonId: p.id }],
      ["a missing new reviewer", { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], reason: "Knows the team" }],
    ],
  },
  "app/(portal)/admin/connections/actions.ts#markRotationRemindersRead": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["no reminders", { reminderIds: [] }],
      ["a reminder id that is not a UUID", { reminderIds: ["1; DROP TABLE"] }],
      ["an unknown field", { reminderIds: [UNKNOWN_UUID], all: true }],
    ],
  },
  "app/(portal)/reviews/actions.ts#markRemindersRead": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["no reminders", { reminderIds: [] }],
      ["a reminder id that is not a UUID", { reminderIds: ["1; DROP TABLE"] }],
    ],
  },
  "app/(portal)/admin/campaigns/actions.ts#createCampaign": {
    as: PortalRole.ADMIN,
    cases: (p) => {
      const valid = { name: "Quarterly review", connectionIds: [UNKNOWN_ID], scope: { kinds: ["TEAM_MEMBER"] }, policy: { steps: [{ kind: "team_managers" }] }, fallbackReviewerId: p.id, dueAt: "2030-01-01T00:00:00Z" };
      return [
        ["an unknown account", valid],
        ["no name", { ...valid, name: "" }],
        ["no accounts", { ...valid, connectionIds: [] }],
        ["no entitlement kinds", { ...valid, scope: { kinds: [] } }],
        ["an unknown entitlement kind", { ...valid, scope: { kinds: ["ROOT"] } }],
        ["three steps", { ...valid, policy: { steps: [{ kind: "manager" }, { kind: "manager" }, { kind: "manager" }] } }],
        ["a people step naming nobody", { ...valid, policy: { steps: [{ kind: "people" }] } }],
        ["an unknown fallback reviewer", { ...valid, connectionIds: [UNKNOWN_ID], fallbackReviewerId: UNKNOWN_ID }],
        ["a due date that is not a date", { ...valid, dueAt: "next quarter" }],
        ["a recurrence of 0 months", { ...valid, recurrenceMonths: 0 }],
      ];
    },
  },
  "app/(portal)/admin/campaigns/actions.ts#launchCampaign": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID }],
      ["a too-short override reason", { campaignId: UNKNOWN_UUID, overrideReason: "ok" }],
    ],
  },
  "app/(portal)/admin/campaigns/actions.ts#closeCampaign": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID }],
      ["an unknown field", { campaignId: UNKNOWN_UUID, force: true }],
    ],
  },
  "app/(portal)/admin/campaigns/actions.ts#forceCloseCampaign": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID, reason: "Audit deadline" }],
      ["a missing reason", { campaignId: UNKNOWN_UUID }],
      ["an over-long reason", { campaignId: UNKNOWN_UUID, reason: "r".repeat(501) }],
    ],
  },
  "app/(portal)/admin/campaigns/actions.ts#reassignItems": {
    as: PortalRole.ADMIN,
    cases: (p) => [
      ["an unknown campaign", { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], toPersonId: p.id, reason: "Reviewer left" }],
      ["no items", { campaignId: UNKNOWN_UUID, itemIds: [], toPersonId: p.id, reason: "Reviewer left" }],
    ],
  },
  "app/(portal)/admin/campaigns/actions.ts#setReviewOwner": {
    as: PortalRole.ADMIN,
    cases: (p) => [
      ["an unknown account", { connectionId: UNKNOWN_ID, subjectType: "team", subjectRef: "PTEAM1", personId: p.id }],
      ["an unknown subject type", { connectionId: UNKNOWN_ID, subjectType: "schedule", subjectRef: "PS1", personId: p.id }],
      ["an unknown owner", { connectionId: UNKNOWN_ID, subjectType: "role", subjectRef: "admin", personId: UNKNOWN_ID }],
    ],
  },
  "app/(portal)/admin/policies/actions.ts#createCatalogItem": {
    as: PortalRole.ADMIN,
    cases: (p) => {
      const decider = { kind: "approvers", approvers: { teamManagers: false, personIds: [p.id], groupIds: [] }, approvalsNeeded: 1, distinctGroups: false };
      const rules = { defaultDurationMinutes: 120, maxDurationMinutes: 480, justification: { required: true, ticketPattern: "" }, deciders: [decider], requesters: { kind: "everyone" }, pendingTimeoutMinutes: 1440, extensionNeedsApproval: true, remindAfterMinutes: 60, escalateAfterMinutes: 240, fallbackApproverIds: [p.id], expiryNoticeMinutes: 15 };
      const valid = { connectionId: UNKNOWN_ID, kind: "BASE_ROLE", role: "user", fromRoles: ["limited_user"], name: "Manager role", description: "", rules };
      return [
        ["an unknown account", valid],
        ["no name", { ...valid, name: " " }],
        ["an unknown kind", { ...valid, kind: "ROOT" }],
        ["an unknown role", { ...valid, role: "superuser" }],
        ["an unknown from-role", { ...valid, fromRoles: ["god"] }],
        ["a default longer than the maximum", { ...valid, rules: { ...rules, defaultDurationMinutes: 600 } }],
        ["a duration of 0 minutes", { ...valid, rules: { ...rules, maxDurationMinutes: 0 } }],
        ["a duration past 30 days", { ...valid, rules: { ...rules, maxDurationMinutes: 60 * 24 * 31 } }],
        ["escalation after the undecided timeout", { ...valid, rules: { ...rules, escalateAfterMinutes: 2000 } }],
        ["escalation before the reminder", { ...valid, rules: { ...rules, escalateAfterMinutes: 30 } }],
        ["a ticket pattern that is no regular expression", { ...valid, rules: { ...rules, justification: { required: true, ticketPattern: "(INC" } } }],
        ["no approver at all", { ...valid, rules: { ...rules, deciders: [{ ...decider, approvers: { teamManagers: false, personIds: [], groupIds: [] } }] } }],
        ["three approvals", { ...valid, rules: { ...rules, deciders: [{ ...decider, approvalsNeeded: 3 }] } }],
        ["different groups with one approval", { ...valid, rules: { ...rules, deciders: [{ ...decider, distinctGroups: true }] } }],
        ["an unknown decider kind", { ...valid, rules: { ...rules, deciders: [{ ...decider, kind: "robot" }] } }],
        ["requesters of no team", { ...valid, rules: { ...rules, requesters: { kind: "team_members", teamPdIds: [] } } }],
        ["a negative expiry notice", { ...valid, rules: { ...rules, expiryNoticeMinutes: -5 } }],
        ["an unknown rule", { ...valid, rules: { ...rules, autoApprove: true } }],
      ];
    },
  },
  "app/(portal)/admin/policies/actions.ts#updatePolicy": {
    as: PortalRole.ADMIN,
    cases: (p) => {
      const rules = { defaultDurationMinutes: 120, maxDurationMinutes: 480, justification: { required: true, ticketPattern: "" }, deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: [p.id], groupIds: [] } }], requesters: { kind: "everyone" }, pendingTimeoutMinutes: 1440, remindAfterMinutes: 60, escalateAfterMinutes: 240, fallbackApproverIds: [p.id] };
      return [
        ["an unknown item", { itemId: UNKNOWN_ID, baseVersion: 1, rules, reason: "Shorter" }],
        ["no reason", { itemId: UNKNOWN_ID, baseVersion: 1, rules, reason: "" }],
        ["a base version of 0", { itemId: UNKNOWN_ID, baseVersion: 0, rules, reason: "Shorter" }],
        ["no rules", { itemId: UNKNOWN_ID, baseVersion: 1, reason: "Shorter" }],
        ["rules that are text", { itemId: UNKNOWN_ID, baseVersion: 1, rules: "max 4h", reason: "Shorter" }],
      ];
    },
  },
  "app/(portal)/admin/policies/actions.ts#setCatalogItemRetired": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["an unknown item", { itemId: UNKNOWN_ID, retired: true, reason: "Not needed" }],
      ["no reason", { itemId: UNKNOWN_ID, retired: true, reason: "" }],
      ["retired as text", { itemId: UNKNOWN_ID, retired: "yes", reason: "Not needed" }],
    ],
  },
  "app/(portal)/admin/policies/actions.ts#createPortalGroup": {
    as: PortalRole.ADMIN,
    cases: () => [
      ["no name", { name: "  " }],
      ["an over-long name", { name: "g".repeat(81) }],
      ["an unknown field", { name: "Leads", members: [] }],
    ],
  },
  "app/(portal)/admin/policies/actions.ts#setPortalGroupMember": {
    as: PortalRole.ADMIN,
    cases: (p) => [
      ["an unknown group", { groupId: UNKNOWN_ID, personId: p.id, add: true }],
      ["removing from an unknown group", { groupId: UNKNOWN_ID, personId: p.id, add: false }],
      ["add as text", { groupId: UNKNOWN_ID, personId: p.id, add: "yes" }],
    ],
  },
  "app/(portal)/access/actions.ts#markNotificationsRead": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an instant that is not a date", { upTo: "yesterday" }],
      ["a date without a time", { upTo: "2030-01-01" }],
      ["an unknown field", { upTo: "2030-01-01T00:00:00Z", personId: UNKNOWN_ID }],
      ["a list of ids instead", { notificationIds: [UNKNOWN_ID] }],
    ],
  },
  "app/(portal)/requests/actions.ts#createRequest": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown item", { itemId: UNKNOWN_UUID, durationMinutes: 120, reason: "Incident follow-up" }],
      ["a duration under 5 minutes", { itemId: UNKNOWN_UUID, durationMinutes: 1, reason: "Incident follow-up" }],
      ["a duration over 30 days", { itemId: UNKNOWN_UUID, durationMinutes: 60 * 24 * 31, reason: "Incident follow-up" }],
      ["a duration that is not a number", { itemId: UNKNOWN_UUID, durationMinutes: "two hours", reason: "Incident follow-up" }],
      ["fractional minutes", { itemId: UNKNOWN_UUID, durationMinutes: 90.5, reason: "Incident follow-up" }],
      ["an over-long reason", { itemId: UNKNOWN_UUID, durationMinutes: 120, reason: "r".repeat(2001) }],
      ["an unknown field", { itemId: UNKNOWN_UUID, durationMinutes: 120, reason: "Incident", approved: true }],
    ],
  },
  "app/(portal)/requests/actions.ts#extendRequest": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown request", { requestId: UNKNOWN_UUID, minutes: 60, reason: "Still needed" }],
      ["no extra time", { requestId: UNKNOWN_UUID, minutes: 0, reason: "Still needed" }],
      ["negative extra time", { requestId: UNKNOWN_UUID, minutes: -60, reason: "Still needed" }],
    ],
  },
  "app/(portal)/requests/actions.ts#cancelRequest": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown request", { requestId: UNKNOWN_UUID }],
      ["a request id that is not an id", { requestId: "../../etc/passwd" }],
    ],
  },
  "app/(portal)/requests/actions.ts#returnAccess": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown request", { requestId: UNKNOWN_UUID, reason: "Done" }],
      ["a reason that is not text", { requestId: UNKNOWN_UUID, reason: 12 }],
    ],
  },
  "app/(portal)/requests/actions.ts#decideRequest": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown request", { requestId: UNKNOWN_UUID, decision: "approve" }],
      ["an unknown decision", { requestId: UNKNOWN_UUID, decision: "maybe" }],
      ["an upper-case decision", { requestId: UNKNOWN_UUID, decision: "APPROVE" }],
      ["an over-long comment", { requestId: UNKNOWN_UUID, decision: "deny", comment: "c".repeat(2001) }],
    ],
  },
  "app/(portal)/requests/actions.ts#bulkApprove": {
    as: PortalRole.MEMBER,
    cases: () => [
      ["an unknown request", { requestIds: [UNKNOWN_UUID], acknowledged: true }],
      ["no requests", { requestIds: [] }],
      ["too many requests", { requestIds: Array.from({ length: 201 }, () => UNKNOWN_UUID) }],
      ["ids that are not a list", { requestIds: UNKNOWN_UUID }],
      ["an acknowledgement that is not a boolean", { requestIds: [UNKNOWN_UUID], acknowledged: "yes" }],
    ],
  },
  "app/signin/actions.ts#demoSignIn": {
    as: "anonymous",
    cases: () => [
      ["an unknown person", { personId: UNKNOWN_ID }],
      ["an id in the wrong field", { id: UNKNOWN_ID }],
    ],
  },
  "app/signin/actions.ts#signOut": { as: "anonymous", ignoresInputAndRedirectsTo: "/signin" },
  "app/(portal)/audit/actions.ts#verifyChain": {
    as: PortalRole.AUDITOR,
    genericValid: ["an empty object"],
    cases: () => [["an unknown option", { deep: true }]],
  },
};

let actions = new Map<string, ServerAction>();
const testDb = setupAuthTestDb(async () => {
  actions = await discoverServerActions();
});

async function signInAsRole(db: Db, as: InputRow["as"]) {
  if (as === "anonymous") return;
  const p = await createPerson(db, { roles: [as] });
  await signInAs(db, p.id);
}

describe("invalid input to every server action", () => {
  it("has a row for every server action in the app, and none for actions that no longer exist", () => {
    expect([...actions.keys()].sort()).toEqual(Object.keys(ROWS).sort());
  });

  for (const [key, row] of Object.entries(ROWS)) {
    it(`${key}: malformed input gets a clear message and changes nothing`, async () => {
      const action = actions.get(key);
      expect(action, `${key} is not exported any more`).toBeDefined();
      const db = testDb().prisma;
      const target = await createPerson(db);
      const generic = GENERIC.filter(([label]) => !row.genericValid?.includes(label));
      const cases = row.ignoresInputAndRedirectsTo ? GENERIC : [...generic, ...(row.cases?.(target) ?? [])];
      for (const [label, input] of cases) {
        request.reset();
        await signInAsRole(db, row.as);
        const before = await worldFingerprint(db);
        const result = await callAction(action!, input);
        const after = await worldFingerprint(db);
        const where = `${key} with ${label}: ${JSON.stringify(result)}`;
        expect(result.kind, where).not.toBe("threw");
        expect(after, where).toBe(before);
        if (row.ignoresInputAndRedirectsTo) {
          expect(result, where).toEqual({ kind: "redirect", url: row.ignoresInputAndRedirectsTo });
          continue;
        }
        expect(isRefusal(result), where).toBe(true);
        if (!isRefusal(result)) continue;
        expect(result.value.error.length, where).toBeGreaterThan(15);
        expect(result.value.error, where).not.toMatch(/something went wrong|reference/i);
        expect(result.value.error, where).not.toMatch(/prisma|invalid_type|\bat \//i);
      }
    });
  }
});
