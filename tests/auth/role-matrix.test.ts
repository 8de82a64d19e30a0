/**
 * ROLE MATRIX: every server action in the app × every kind of caller, called directly on the server
 * with a real session (a Session row's token in the request cookie). "refused" means ok:false with a
 * message AND nothing written. A new action without a row here fails the suite: add its row.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock } from "./support/request";
import { setupAuthTestDb } from "./support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import type { Db } from "@/lib/db";
import { PersonStatus, PortalRole, type Person } from "@/lib/generated/prisma/client";
import { seedDemoPeople } from "@/lib/demo/people";
import { callAction, discoverServerActions, isOk, isRefusal, worldFingerprint, type ServerAction } from "./support/actions";
import { createPerson, signInAs } from "./support/fixtures";
import { insertConnection } from "../connections/support/fixtures";
import { KEYS, sharedPagerDuty } from "../connections/support/pagerduty";
import { insertPdUser } from "../pagerduty-data/fixtures";
import { seedChange } from "../changes/fixtures/rows";
import { campaignInput, campaignWithItemFor, seedWorld } from "../reviews/support";
import { createCatalogItem } from "@/lib/access/catalog";
import { DEFAULT_RULES } from "@/lib/access/policy";
import { catalogItemInput } from "@/lib/access/schemas";
import { accessCatalog, accessRequest, pdUserFor } from "./support/access";

process.env.DEMO_MODE = "true"; // demo sign-in is one of the actions

type Caller = "ADMIN" | "AUDITOR" | "MEMBER" | "anonymous" | "deactivated";
const CALLERS: Caller[] = ["ADMIN", "AUDITOR", "MEMBER", "anonymous", "deactivated"];

/**
 * allowed: succeeds (ok:true, or the row's redirect); refused: ok:false with a message, nothing written;
 * noop: succeeds (or redirects) and writes nothing.
 */
type Outcome = "allowed" | "refused" | "noop";

interface World {
  db: Db;
  /** The signed-in caller (null when anonymous). */
  caller: Person | null;
  /** A fresh, active member to act upon. */
  target: Person;
}

interface MatrixRow {
  input: (w: World) => unknown;
  expect: Record<Caller, Outcome>;
  /** When allowed: must the call write something (a mutation), or is it a read? */
  writes: boolean;
  /** When allowed or noop: the action finishes with this redirect instead of returning a result. */
  redirectsTo?: string;
}

const adminOnly: Record<Caller, Outcome> = { ADMIN: "allowed", AUDITOR: "refused", MEMBER: "refused", anonymous: "refused", deactivated: "refused" };
/** Review decisions: whoever is the item's reviewer (admin or member); never an auditor. */
const reviewer: Record<Caller, Outcome> = { ADMIN: "allowed", AUDITOR: "refused", MEMBER: "allowed", anonymous: "refused", deactivated: "refused" };
/** Just-in-time access: members and admins request and approve (the policy decides who approves); auditors neither. */
const requester: Record<Caller, Outcome> = { ADMIN: "allowed", AUDITOR: "refused", MEMBER: "allowed", anonymous: "refused", deactivated: "refused" };
const me = (w: World) => w.caller ?? w.target;
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

/** A base-role catalog item ("user", approved by `approverId`) on a fresh connection: no sync needed. */
function baseRoleItemInput(connectionId: string, approverId: string) {
  return {
    connectionId,
    kind: "BASE_ROLE",
    role: "user",
    fromRoles: ["limited_user"],
    name: `Manager role ${randomUUID().slice(0, 8)}`,
    description: "Elevation for incident follow-up",
    rules: { ...DEFAULT_RULES, deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: [approverId], groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }], fallbackApproverIds: [approverId] },
  };
}

async function seedCatalogItem(w: World): Promise<string> {
  const admin = await createPerson(w.db, { roles: [PortalRole.ADMIN] });
  const c = await insertConnection(w.db, { ownerPersonId: admin.id, apiBaseUrl: (await sharedPagerDuty()).url });
  const actor = { personId: admin.id, email: admin.email, name: admin.name, roles: [...admin.roles] };
  return (await createCatalogItem(w.db, actor, catalogItemInput.parse(baseRoleItemInput(c.id, w.target.id)))).itemId;
}

const MATRIX: Record<string, MatrixRow> = {
  "app/(portal)/admin/people/actions.ts#setPersonRoles": {
    input: (w) => ({ personId: w.target.id, roles: [PortalRole.AUDITOR] }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/people/actions.ts#deactivatePerson": {
    input: (w) => ({ personId: w.target.id, reason: "Left the company" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/people/actions.ts#reactivatePerson": {
    input: async (w) => {
      await w.db.person.update({ where: { id: w.target.id }, data: { status: PersonStatus.DEACTIVATED, deactivatedAt: new Date() } });
      return { personId: w.target.id, reason: "Came back" };
    },
    expect: adminOnly,
    writes: true,
  },
  // PagerDuty connections (admin only): credentials are checked against a PagerDuty stand-in over HTTP.
  "app/(portal)/admin/connections/actions.ts#createConnection": {
    input: async (w) => ({ name: `Acme ${w.target.id}`, subdomain: "acme", region: "US", apiBaseUrl: (await sharedPagerDuty()).url, ownerPersonId: w.target.id, purpose: "Access reviews", credentialKind: "API_KEY", apiKey: KEYS.full }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/connections/actions.ts#updateConnection": {
    input: async (w) => ({ connectionId: (await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url })).id, purpose: "Quarterly reviews" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/connections/actions.ts#disableConnection": {
    input: async (w) => ({ connectionId: (await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url })).id }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/connections/actions.ts#enableConnection": {
    input: async (w) => {
      const c = await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url });
      await w.db.pagerDutyConnection.update({ where: { id: c.id }, data: { status: "DISABLED" } });
      return { connectionId: c.id };
    },
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/connections/actions.ts#removeConnection": {
    input: async (w) => {
      const c = await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url });
      return { connectionId: c.id, confirmName: c.name };
    },
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/connections/actions.ts#rotateCredential": {
    input: async (w) => ({ connectionId: (await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url })).id, apiKey: KEYS.fullNext }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/connections/actions.ts#checkConnection": {
    input: async (w) => ({ connectionId: (await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url })).id }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/connections/actions.ts#syncConnectionNow": {
    input: async (w) => ({ connectionId: (await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url })).id }),
    expect: adminOnly,
    writes: true,
  },
  // People ↔ PagerDuty users: only admins set an alias (auditors read the matching, change nothing).
  "app/(portal)/pagerduty/matching/actions.ts#setPagerDutyAlias": {
    input: async (w) => {
      const c = await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url });
      const u = await insertPdUser(w.db, c.id);
      return { connectionId: c.id, personId: w.target.id, pdUserId: u.pdId };
    },
    expect: adminOnly,
    writes: true,
  },
  // The change queue (admin only; auditors read it): each operation is one transaction with its audit event.
  "app/(portal)/admin/changes/actions.ts#approveChangeBatch": {
    input: async (w) => ({ batchId: (await seedChange(w.db, w.target.id, "held")).batchId, reason: "Mapping reviewed" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/changes/actions.ts#rejectChangeBatch": {
    input: async (w) => ({ batchId: (await seedChange(w.db, w.target.id, "held")).batchId, reason: "Wrong group mapped" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/changes/actions.ts#retryFailedChange": {
    input: async (w) => ({ changeId: (await seedChange(w.db, w.target.id, "failed")).changeId }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/changes/actions.ts#cancelQueuedChange": {
    input: async (w) => ({ changeId: (await seedChange(w.db, w.target.id, "failed")).changeId, reason: "No longer needed" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/changes/actions.ts#undoAppliedChange": {
    input: async (w) => ({ changeId: (await seedChange(w.db, w.target.id, "verified")).changeId, reason: "Downgraded by mistake" }),
    expect: adminOnly,
    writes: true,
  },
  // Access reviews: reviewers decide the items assigned to them (auditors never); campaigns are admin-only.
  "app/(portal)/reviews/actions.ts#saveDrafts": {
    input: async (w) => {
      const c = await campaignWithItemFor(w.db, w.caller?.id ?? null);
      return { campaignId: c.campaignId, decisions: [{ itemId: c.itemId, decision: "CERTIFY" }] };
    },
    expect: reviewer,
    // Drafts change the caller's items in place (no row added, nothing audited until submitted): the fingerprint cannot see them; tests/reviews/decisions.test.ts checks them.
    writes: false,
  },
  "app/(portal)/reviews/actions.ts#clearDrafts": {
    input: async (w) => {
      const c = await campaignWithItemFor(w.db, w.caller?.id ?? null, { draft: true });
      return { campaignId: c.campaignId, itemIds: [c.itemId] };
    },
    expect: reviewer,
    // Drafts change the caller's items in place (no row added, nothing audited until submitted): the fingerprint cannot see them; tests/reviews/decisions.test.ts checks them.
    writes: false,
  },
  "app/(portal)/reviews/actions.ts#bulkDecide": {
    input: async (w) => {
      const c = await campaignWithItemFor(w.db, w.caller?.id ?? null);
      return { campaignId: c.campaignId, itemIds: [c.itemId], decision: "REVOKE", justification: "Left the team" };
    },
    expect: reviewer,
    // Drafts change the caller's items in place (no row added, nothing audited until submitted): the fingerprint cannot see them; tests/reviews/decisions.test.ts checks them.
    writes: false,
  },
  "app/(portal)/reviews/actions.ts#submitDecisions": {
    input: async (w) => {
      const c = await campaignWithItemFor(w.db, w.caller?.id ?? null, { draft: true });
      return { campaignId: c.campaignId, itemIds: [c.itemId] };
    },
    expect: reviewer,
    writes: true,
  },
  "app/(portal)/reviews/actions.ts#delegateReviews": {
    input: (w) => ({ toPersonId: w.target.id, startsAt: inFuture(0), endsAt: inFuture(86_400_000), reason: "On holiday" }),
    expect: reviewer,
    writes: true,
  },
  "app/(portal)/reviews/actions.ts#revokeDelegation": {
    input: async (w) => {
      const id = randomUUID();
      await w.db.reviewDelegation.create({ data: { id, fromPersonId: w.caller?.id ?? w.target.id, toPersonId: w.target.id, startsAt: new Date(), endsAt: new Date(Date.now() + 86_400_000), reason: "On holiday", createdById: w.target.id } });
      return { delegationId: id };
    },
    expect: reviewer,
    writes: true,
  },
  "app/(portal)/reviews/actions.ts#reassignMyItems": {
    input: async (w) => {
      const c = await campaignWithItemFor(w.db, w.caller?.id ?? null);
      return { campaignId: c.campaignId, itemIds: [c.itemId], toPersonId: w.target.id, reason: "Knows the team better" };
    },
    expect: reviewer,
    writes: true,
  },
  "app/(portal)/admin/connections/actions.ts#markRotationRemindersRead": {
    input: async (w) => {
      const c = await insertConnection(w.db, { ownerPersonId: w.caller?.id ?? w.target.id, apiBaseUrl: (await sharedPagerDuty()).url });
      const id = randomUUID();
      const now = new Date();
      await w.db.connectionRotationReminder.create({ data: { id, connectionId: c.id, personId: w.caller?.id ?? w.target.id, cycle: now, stage: "due:14", channel: "IN_APP", message: "Rotate soon", dueAt: now, createdAt: now } });
      return { reminderIds: [id] };
    },
    expect: { ADMIN: "allowed", AUDITOR: "allowed", MEMBER: "allowed", anonymous: "refused", deactivated: "refused" },
    // Marks the caller's own reminders read in place (no row added).
    writes: false,
  },
  "app/(portal)/reviews/actions.ts#markRemindersRead": {
    input: async (w) => {
      const c = await campaignWithItemFor(w.db, w.caller?.id ?? null);
      const id = randomUUID();
      await w.db.reviewReminder.create({ data: { id, campaignId: c.campaignId, personId: w.caller?.id ?? w.target.id, kind: "DUE_SOON", channel: "IN_APP", message: "Due soon", createdAt: new Date() } });
      return { reminderIds: [id] };
    },
    expect: { ADMIN: "allowed", AUDITOR: "allowed", MEMBER: "allowed", anonymous: "refused", deactivated: "refused" },
    // Marks the caller's own reminders read in place (no row added).
    writes: false,
  },
  "app/(portal)/admin/campaigns/actions.ts#createCampaign": {
    input: async (w) => ({ ...campaignInput(await seedWorld(w.db)), dueAt: inFuture(14 * 86_400_000) }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/campaigns/actions.ts#launchCampaign": {
    input: async (w) => {
      const world = await seedWorld(w.db);
      const id = randomUUID();
      const input = campaignInput(world);
      await w.db.reviewCampaign.create({ data: { id, name: input.name, connectionIds: input.connectionIds, scope: input.scope, policy: input.policy, fallbackReviewerId: world.admin.id, dueAt: input.dueAt, createdById: world.admin.id } });
      return { campaignId: id };
    },
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/campaigns/actions.ts#closeCampaign": {
    input: async (w) => {
      const c = await campaignWithItemFor(w.db, null);
      await w.db.reviewItem.updateMany({ where: { campaignId: c.campaignId }, data: { state: "DECIDED", decision: "CERTIFY", decidedAt: new Date() } });
      return { campaignId: c.campaignId };
    },
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/campaigns/actions.ts#forceCloseCampaign": {
    input: async (w) => ({ campaignId: (await campaignWithItemFor(w.db, null)).campaignId, reason: "Audit deadline" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/campaigns/actions.ts#reassignItems": {
    input: async (w) => {
      const c = await campaignWithItemFor(w.db, null);
      return { campaignId: c.campaignId, itemIds: [c.itemId], toPersonId: w.target.id, reason: "Reviewer left" };
    },
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/campaigns/actions.ts#setReviewOwner": {
    input: async (w) => {
      const world = await seedWorld(w.db);
      return { connectionId: world.connectionId, subjectType: "team", subjectRef: world.teamId, personId: w.target.id };
    },
    expect: adminOnly,
    writes: true,
  },
  // Just-in-time access catalog (Admin → Policies): administrators only; auditors read it, change nothing.
  "app/(portal)/admin/policies/actions.ts#createCatalogItem": {
    input: async (w) => baseRoleItemInput((await insertConnection(w.db, { ownerPersonId: w.target.id, apiBaseUrl: (await sharedPagerDuty()).url })).id, w.target.id),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/policies/actions.ts#updatePolicy": {
    input: async (w) => ({ itemId: await seedCatalogItem(w), baseVersion: 1, rules: { ...baseRoleItemInput("x", w.target.id).rules, maxDurationMinutes: 240 }, reason: "Shorter maximum after the audit" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/policies/actions.ts#setCatalogItemRetired": {
    input: async (w) => ({ itemId: await seedCatalogItem(w), retired: true, reason: "No longer needed" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/policies/actions.ts#createPortalGroup": {
    input: (w) => ({ name: `Platform leads ${w.target.id}`, description: "Approve platform access" }),
    expect: adminOnly,
    writes: true,
  },
  "app/(portal)/admin/policies/actions.ts#setPortalGroupMember": {
    input: async (w) => {
      const id = randomUUID();
      await w.db.portalGroup.create({ data: { id, name: `Group ${id}`, createdAt: new Date() } });
      return { groupId: id, personId: w.target.id, add: true };
    },
    expect: adminOnly,
    writes: true,
  },
  // Everyone marks their own notifications read (in place: no row added); never anyone else's.
  "app/(portal)/access/actions.ts#markNotificationsRead": {
    input: async (w) => {
      const now = new Date();
      await w.db.notification.create({ data: { id: randomUUID(), personId: w.caller?.id ?? w.target.id, kind: "access_request.decided", subjectId: randomUUID(), title: "Request approved", body: "Your request was approved.", href: "/requests", createdAt: now } });
      return { upTo: now.toISOString() };
    },
    expect: { ADMIN: "allowed", AUDITOR: "allowed", MEMBER: "allowed", anonymous: "refused", deactivated: "refused" },
    writes: false,
  },
  // Just-in-time access: one's own requests; decisions by the approvers the policy names (here: the caller).
  "app/(portal)/requests/actions.ts#createRequest": {
    input: async (w) => {
      const rows = await accessCatalog(w.db, w.target.id, w.target.id);
      await pdUserFor(w.db, rows.connectionId, me(w).email);
      return { itemId: rows.itemId, durationMinutes: 120, reason: "Incident follow-up" };
    },
    expect: requester,
    writes: true,
  },
  "app/(portal)/requests/actions.ts#extendRequest": {
    input: async (w) => {
      const rows = await accessCatalog(w.db, w.target.id, w.target.id);
      return { requestId: await accessRequest(w.db, rows, me(w), "ACTIVE"), minutes: 60, reason: "The incident is still open" };
    },
    expect: requester,
    writes: true,
  },
  "app/(portal)/requests/actions.ts#cancelRequest": {
    input: async (w) => {
      const rows = await accessCatalog(w.db, w.target.id, w.target.id);
      return { requestId: await accessRequest(w.db, rows, me(w), "PENDING") };
    },
    expect: requester,
    writes: true,
  },
  "app/(portal)/requests/actions.ts#returnAccess": {
    input: async (w) => {
      const rows = await accessCatalog(w.db, w.target.id, w.target.id);
      return { requestId: await accessRequest(w.db, rows, me(w), "ACTIVE"), reason: "Done early" };
    },
    expect: requester,
    writes: true,
  },
  "app/(portal)/requests/actions.ts#decideRequest": {
    input: async (w) => {
      const rows = await accessCatalog(w.db, w.target.id, me(w).id);
      return { requestId: await accessRequest(w.db, rows, w.target, "PENDING"), decision: "approve", comment: "Fine for the incident" };
    },
    expect: requester,
    writes: true,
  },
  "app/(portal)/requests/actions.ts#bulkApprove": {
    input: async (w) => {
      const rows = await accessCatalog(w.db, w.target.id, me(w).id);
      return { requestIds: [await accessRequest(w.db, rows, w.target, "PENDING")], comment: "Incident staffing" };
    },
    expect: requester,
    writes: true,
  },
  // Admins and auditors verify the chain; the result is itself recorded as an audit event.
  "app/(portal)/audit/actions.ts#verifyChain": {
    input: () => ({}),
    expect: { ADMIN: "allowed", AUDITOR: "allowed", MEMBER: "refused", anonymous: "refused", deactivated: "refused" },
    writes: true,
  },
  // Demo mode: anyone may pick a demo person (a deactivated person's browser too: as someone else).
  "app/signin/actions.ts#demoSignIn": {
    // Demo sign-in opens the seeded demo people only (demo-guard.test.ts: anyone else is refused).
    input: async (w) => {
      await seedDemoPeople(w.db);
      return { personId: (await w.db.person.findUniqueOrThrow({ where: { email: "maya.member@example.com" } })).id };
    },
    expect: { ADMIN: "allowed", AUDITOR: "allowed", MEMBER: "allowed", anonymous: "allowed", deactivated: "allowed" },
    writes: true,
    redirectsTo: "/",
  },
  // Signing out ends the caller's own session (a deactivated person's leftover one too); anonymous: nothing to end.
  "app/signin/actions.ts#signOut": {
    input: () => undefined,
    expect: { ADMIN: "allowed", AUDITOR: "allowed", MEMBER: "allowed", anonymous: "noop", deactivated: "allowed" },
    writes: true,
    redirectsTo: "/signin",
  },
};

let actions = new Map<string, ServerAction>();
const testDb = setupAuthTestDb(async () => {
  actions = await discoverServerActions();
});

async function callerFor(db: Db, caller: Caller): Promise<Person | null> {
  if (caller === "anonymous") return null;
  // A deactivated admin whose old session row somehow survived: resolution must still fail closed.
  const person =
    caller === "deactivated"
      ? await createPerson(db, { roles: [PortalRole.ADMIN], status: PersonStatus.DEACTIVATED })
      : await createPerson(db, { roles: [PortalRole[caller]] });
  await signInAs(db, person.id);
  return person;
}

describe("role matrix", () => {
  it("has a row for every server action in the app, and none for actions that no longer exist", () => {
    expect([...actions.keys()].sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const [key, row] of Object.entries(MATRIX)) {
    for (const caller of CALLERS) {
      const outcome = row.expect[caller];
      it(`${key} as ${caller}: ${outcome}`, async () => {
        const action = actions.get(key);
        expect(action, `${key} is not exported any more`).toBeDefined();
        const db = testDb().prisma;
        const world: World = { db, caller: await callerFor(db, caller), target: await createPerson(db) };
        const input = await row.input(world);
        const before = await worldFingerprint(db);
        const result = await callAction(action!, input);
        expect(result.kind, `threw: ${result.kind === "threw" ? String(result.error) : ""}`).not.toBe("threw");
        const after = await worldFingerprint(db);

        if (outcome === "refused") {
          expect(isRefusal(result), JSON.stringify(result)).toBe(true);
          expect(after).toBe(before);
          return;
        }
        if (row.redirectsTo) expect(result).toEqual({ kind: "redirect", url: row.redirectsTo });
        else expect(isOk(result), JSON.stringify(result)).toBe(true);
        if (outcome === "noop" || !row.writes) expect(after).toBe(before);
        else expect(after).not.toBe(before);
      });
    }
  }
});
