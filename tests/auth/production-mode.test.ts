/**
 * Outside demo mode: OIDC is the only way in, and demo sign-in refuses clearly. (next-auth's route
 * handler itself needs a real Next request scope; the Playwright OIDC spec drives it end to end.)
 */
import { describe, expect, it, vi } from "vitest";
import { nextHeadersMock, nextNavigationMock } from "./support/request";
import { setupAuthTestDb } from "./support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());

import { demoSignIn } from "@/app/signin/actions";
import { sessionCookieName } from "@/lib/auth/cookies";
import { listDemoPeople } from "@/lib/auth/demo";
import { DEPLOYMENT_ENV } from "./support/config";
import { createPerson, fingerprint } from "./support/fixtures";

Object.assign(process.env, DEPLOYMENT_ENV);

const testDb = setupAuthTestDb();

describe("outside demo mode", () => {
  it("demo sign-in is refused with a clear message and writes nothing; no demo people are seeded", async () => {
    const db = testDb().prisma;
    const p = await createPerson(db);
    const before = await fingerprint(db);
    expect(await demoSignIn({ personId: p.id })).toEqual({ ok: false, error: "Demo sign-in is disabled: this portal is not running in demo mode." });
    expect(await listDemoPeople(db)).toEqual([]);
    expect(await fingerprint(db)).toBe(before);
  });

  it("uses the __Secure- session cookie when the portal's URL is https", () => {
    expect(sessionCookieName()).toBe("__Secure-next-auth.session-token");
    expect(sessionCookieName("http://localhost:3000")).toBe("next-auth.session-token");
  });
});
