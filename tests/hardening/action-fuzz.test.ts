/**
 * FUZZ: every server action (each export of app/**\/actions.ts), called by someone who may call it, with
 * each text and number field in turn replaced by NUL, lone surrogates, 10,000 characters and numbers past
 * int64 (9223372036854775808, 1e309, -0, NaN, as numbers and as text), and with each of those as the whole
 * input: it answers ok:false with a validation message (a free-text field may take "NaN" or "-0" as text
 * and then refuse for another reason, still with a message), never throws, never answers "Something went
 * wrong", and writes nothing (row counts of every table and the audit head unchanged).
 * A new action without a base input here fails the suite: add its row.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock, request } from "../auth/support/request";
import { setupAuthTestDb } from "../auth/support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import type { Db } from "@/lib/db";
import { PortalRole } from "@/lib/generated/prisma/client";
import { callAction, discoverServerActions, isRefusal, worldFingerprint, type ServerAction } from "../auth/support/actions";
import { createPerson, signInAs } from "../auth/support/fixtures";
import { KEYS } from "../connections/support/pagerduty";
import { FUZZ, isPlausibleText } from "./support";

process.env.DEMO_MODE = "true";

const UNKNOWN_ID = "cl0000000000000000unknown";
const UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000";
/** A whole just-in-time policy (every rule present, so every rule is fuzzed). */
const RULES = {
  defaultDurationMinutes: 120,
  maxDurationMinutes: 480,
  justification: { required: true, ticketPattern: "^INC-[0-9]+$" },
  deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: [UNKNOWN_ID], groupIds: [UNKNOWN_ID] }, approvalsNeeded: 1, distinctGroups: false }],
  requesters: { kind: "team_members", teamPdIds: ["PTEAM01"] },
  pendingTimeoutMinutes: 1440,
  extensionNeedsApproval: true,
  remindAfterMinutes: 60,
  escalateAfterMinutes: 240,
  fallbackApproverIds: [UNKNOWN_ID],
  expiryNoticeMinutes: 15,
};

interface Row {
  /** Who may call it with valid input. */
  as: PortalRole | "anonymous";
  /**
   * Well-formed input naming things that do not exist (so no call can succeed and write); every string,
   * number and boolean in it, at any depth, is fuzzed in turn. null: the action takes no input.
   */
  base: Record<string, unknown> | null;
  /** Rows that must exist first so that no fuzzed call can succeed (e.g. names already taken). */
  setup?: (db: Db) => Promise<void>;
}

const ROWS: Record<string, Row> = {
  "app/(portal)/admin/people/actions.ts#setPersonRoles": { as: PortalRole.ADMIN, base: { personId: UNKNOWN_ID, roles: ["AUDITOR"] } },
  "app/(portal)/admin/people/actions.ts#deactivatePerson": { as: PortalRole.ADMIN, base: { personId: UNKNOWN_ID, reason: "Left the company" } },
  "app/(portal)/admin/people/actions.ts#reactivatePerson": { as: PortalRole.ADMIN, base: { personId: UNKNOWN_ID, reason: "Came back" } },
  "app/(portal)/admin/connections/actions.ts#createConnection": {
    as: PortalRole.ADMIN,
    // A loopback address where nothing answers: a call that got past validation reaches no PagerDuty.
    base: { name: "Acme fuzz", subdomain: "acme", region: "US", apiBaseUrl: "http://127.0.0.1:9", ownerPersonId: UNKNOWN_ID, purpose: "Access reviews", rotationPeriodDays: 90, syncIntervalMinutes: 60, credentialKind: "API_KEY", apiKey: KEYS.wrong },
  },
  "app/(portal)/admin/connections/actions.ts#updateConnection": {
    as: PortalRole.ADMIN,
    base: { connectionId: UNKNOWN_ID, name: "Acme renamed", subdomain: "acme", region: "EU", ownerPersonId: UNKNOWN_ID, purpose: "Quarterly reviews", rotationPeriodDays: 90, syncIntervalMinutes: 60 },
  },
  "app/(portal)/admin/connections/actions.ts#disableConnection": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID, reason: "Maintenance window" } },
  "app/(portal)/admin/connections/actions.ts#enableConnection": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID, reason: "Maintenance over" } },
  "app/(portal)/admin/connections/actions.ts#removeConnection": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID, confirmName: "Acme", reason: "Decommissioned" } },
  "app/(portal)/admin/connections/actions.ts#rotateCredential": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID, oauthClientSecret: "a-new-client-secret", oauthClientId: "client-id" } },
  "app/(portal)/admin/connections/actions.ts#checkConnection": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID } },
  "app/(portal)/admin/connections/actions.ts#syncConnectionNow": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID } },
  "app/(portal)/pagerduty/matching/actions.ts#setPagerDutyAlias": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID, personId: UNKNOWN_ID, pdUserId: "PABC123" } },
  "app/(portal)/admin/changes/actions.ts#approveChangeBatch": { as: PortalRole.ADMIN, base: { batchId: UNKNOWN_UUID, reason: "Looks right" } },
  "app/(portal)/admin/changes/actions.ts#rejectChangeBatch": { as: PortalRole.ADMIN, base: { batchId: UNKNOWN_UUID, reason: "Wrong group mapped" } },
  "app/(portal)/admin/changes/actions.ts#retryFailedChange": { as: PortalRole.ADMIN, base: { changeId: UNKNOWN_UUID } },
  "app/(portal)/admin/changes/actions.ts#cancelQueuedChange": { as: PortalRole.ADMIN, base: { changeId: UNKNOWN_UUID, reason: "No longer needed" } },
  "app/(portal)/admin/changes/actions.ts#undoAppliedChange": { as: PortalRole.ADMIN, base: { changeId: UNKNOWN_UUID, reason: "Downgraded by mistake", coverage: "after_shift" } },
  "app/(portal)/reviews/actions.ts#saveDrafts": {
    as: PortalRole.MEMBER,
    base: { campaignId: UNKNOWN_UUID, decisions: [{ itemId: UNKNOWN_UUID, decision: "MODIFY", role: "responder", justification: "Moved to on-call duty" }] },
  },
  "app/(portal)/reviews/actions.ts#clearDrafts": { as: PortalRole.MEMBER, base: { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID] } },
  "app/(portal)/reviews/actions.ts#bulkDecide": { as: PortalRole.MEMBER, base: { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], decision: "REVOKE", justification: "Left the team" } },
  "app/(portal)/reviews/actions.ts#submitDecisions": { as: PortalRole.MEMBER, base: { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], acknowledgeRubberStamp: true } },
  "app/(portal)/reviews/actions.ts#delegateReviews": {
    as: PortalRole.MEMBER,
    base: { toPersonId: UNKNOWN_ID, startsAt: "2030-01-01T00:00:00Z", endsAt: "2030-01-05T00:00:00Z", reason: "On holiday" },
  },
  "app/(portal)/reviews/actions.ts#revokeDelegation": { as: PortalRole.MEMBER, base: { delegationId: UNKNOWN_UUID } },
  "app/(portal)/reviews/actions.ts#reassignMyItems": { as: PortalRole.MEMBER, base: { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], toPersonId: UNKNOWN_ID, reason: "Knows the team" } },
  "app/(portal)/admin/connections/actions.ts#markRotationRemindersRead": { as: PortalRole.MEMBER, base: { reminderIds: [UNKNOWN_UUID] } },
  "app/(portal)/reviews/actions.ts#markRemindersRead": { as: PortalRole.MEMBER, base: { reminderIds: [UNKNOWN_UUID] } },
  "app/(portal)/admin/campaigns/actions.ts#createCampaign": {
    as: PortalRole.ADMIN,
    base: {
      name: "Quarterly review",
      description: "Platform teams",
      connectionIds: [UNKNOWN_ID],
      scope: { kinds: ["TEAM_MEMBER"], teamPdIds: ["PTEAM01"], roles: ["responder"], onlyDrift: false },
      policy: { steps: [{ kind: "people", personIds: [UNKNOWN_ID] }] },
      fallbackReviewerId: UNKNOWN_ID,
      justifyHighRisk: true,
      dueAt: "2030-01-01T00:00:00Z",
      recurrenceMonths: 3,
    },
  },
  "app/(portal)/admin/campaigns/actions.ts#launchCampaign": { as: PortalRole.ADMIN, base: { campaignId: UNKNOWN_UUID, overrideReason: "Known PagerDuty outage" } },
  "app/(portal)/admin/campaigns/actions.ts#closeCampaign": { as: PortalRole.ADMIN, base: { campaignId: UNKNOWN_UUID } },
  "app/(portal)/admin/campaigns/actions.ts#forceCloseCampaign": { as: PortalRole.ADMIN, base: { campaignId: UNKNOWN_UUID, reason: "Audit deadline" } },
  "app/(portal)/admin/campaigns/actions.ts#reassignItems": { as: PortalRole.ADMIN, base: { campaignId: UNKNOWN_UUID, itemIds: [UNKNOWN_UUID], toPersonId: UNKNOWN_ID, reason: "Reviewer left" } },
  "app/(portal)/admin/campaigns/actions.ts#setReviewOwner": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID, subjectType: "team", subjectRef: "PTEAM01", personId: UNKNOWN_ID, owner: true } },
  "app/(portal)/admin/policies/actions.ts#createCatalogItem": { as: PortalRole.ADMIN, base: { connectionId: UNKNOWN_ID, kind: "BASE_ROLE", role: "user", fromRoles: ["limited_user"], name: "Manager role", description: "For incident follow-up", rules: RULES, reason: "Asked by the platform team" } },
  "app/(portal)/admin/policies/actions.ts#updatePolicy": { as: PortalRole.ADMIN, base: { itemId: UNKNOWN_ID, baseVersion: 1, rules: RULES, reason: "Shorter maximum" } },
  "app/(portal)/admin/policies/actions.ts#setCatalogItemRetired": { as: PortalRole.ADMIN, base: { itemId: UNKNOWN_ID, retired: true, reason: "No longer needed" } },
  // Every name and description the fuzz can make plausible ("-0", "NaN", …) is taken already (setup): no call creates a group.
  "app/(portal)/admin/policies/actions.ts#createPortalGroup": { as: PortalRole.ADMIN, base: { name: "Platform leads", description: "Approvers" }, setup: async (db) => void (await db.portalGroup.createMany({ data: ["Platform leads", "9223372036854775808", "1e309", "-0", "NaN"].map((name) => ({ id: randomUUID(), name, createdAt: new Date() })) })) },
  "app/(portal)/admin/policies/actions.ts#setPortalGroupMember": { as: PortalRole.ADMIN, base: { groupId: UNKNOWN_ID, personId: UNKNOWN_ID, add: true } },
  "app/(portal)/access/actions.ts#markNotificationsRead": { as: PortalRole.MEMBER, base: { upTo: "2030-01-01T00:00:00Z" } },
  "app/(portal)/requests/actions.ts#createRequest": { as: PortalRole.MEMBER, base: { itemId: UNKNOWN_UUID, durationMinutes: 120, reason: "Incident follow-up", ticket: "INC-42" } },
  "app/(portal)/requests/actions.ts#extendRequest": { as: PortalRole.MEMBER, base: { requestId: UNKNOWN_UUID, minutes: 60, reason: "The incident is still open" } },
  "app/(portal)/requests/actions.ts#cancelRequest": { as: PortalRole.MEMBER, base: { requestId: UNKNOWN_UUID, reason: "Not needed any more" } },
  "app/(portal)/requests/actions.ts#returnAccess": { as: PortalRole.MEMBER, base: { requestId: UNKNOWN_UUID, reason: "Done early" } },
  "app/(portal)/requests/actions.ts#decideRequest": { as: PortalRole.MEMBER, base: { requestId: UNKNOWN_UUID, decision: "approve", comment: "Fine for the incident" } },
  "app/(portal)/requests/actions.ts#bulkApprove": { as: PortalRole.MEMBER, base: { requestIds: [UNKNOWN_UUID], comment: "Incident staffing", acknowledged: true } },
  "app/signin/actions.ts#demoSignIn": { as: "anonymous", base: { personId: UNKNOWN_ID } },
  "app/(portal)/audit/actions.ts#verifyChain": { as: PortalRole.AUDITOR, base: {} },
  // Takes no input: whatever is passed is ignored (tests/auth/invalid-input.test.ts checks it).
  "app/signin/actions.ts#signOut": { as: "anonymous", base: null },
};

type Path = (string | number)[];

/** The path of every string, number and boolean in `value`. */
function leaves(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return ["string", "number", "boolean"].includes(typeof value) ? [path] : [];
}

function replaced(value: unknown, path: Path, by: unknown): unknown {
  if (!path.length) return by;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = replaced(copy[head!], rest, by);
  return copy;
}

let actions = new Map<string, ServerAction>();
const testDb = setupAuthTestDb(async () => {
  actions = await discoverServerActions();
});

describe("fuzzed text and number fields of every server action", () => {
  it("has a row for every server action in the app, and none for actions that no longer exist", () => {
    expect([...actions.keys()].sort()).toEqual(Object.keys(ROWS).sort());
  });

  for (const [key, row] of Object.entries(ROWS)) {
    if (!row.base) continue;
    const base = row.base;
    it(`${key}: every fuzzed field gets a validation message and changes nothing`, async () => {
      const action = actions.get(key)!;
      const db = testDb().prisma;
      request.reset();
      if (row.as !== "anonymous") await signInAs(db, (await createPerson(db, { roles: [row.as] })).id);
      await row.setup?.(db);
      const before = await worldFingerprint(db);
      const cases: Array<[string, unknown, unknown]> = [
        ...FUZZ.map(([label, value]): [string, unknown, unknown] => [`the whole input as ${label}`, value, value]),
        ...leaves(base).flatMap((path) => FUZZ.map(([label, value]): [string, unknown, unknown] => [`${path.join(".")} as ${label}`, replaced(base, path, value), value])),
      ];
      for (const [label, input, value] of cases) {
        const result = await callAction(action, input);
        const where = `${key} with ${label}: ${JSON.stringify(result).slice(0, 400)}`;
        expect(result.kind, where).toBe("result");
        expect(isRefusal(result), where).toBe(true);
        if (!isRefusal(result)) continue;
        expect(result.value.error, where).not.toMatch(/something went wrong|reference/i);
        expect(result.value.error, where).not.toMatch(/prisma|invalid_type|\bat \//i);
        if (!isPlausibleText(value)) expect(result.value.error, where).toMatch(/^The request is not valid\./);
      }
      expect(await worldFingerprint(db), `${key} wrote something`).toBe(before);
    });
  }
});
