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

process.env.DEMO_MODE = "true";

const LONG = "x".repeat(10_000);
const UNKNOWN_ID = "cl0000000000000000unknown";

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
