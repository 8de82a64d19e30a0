/**
 * Reviewer pickers return only what the caller may see: a plain member gets nothing; a member who reviews
 * something now gets id and name only, found by name only; an admin gets at most 20 matches with id,
 * name and e-mail. Never auditors, never the caller. The route validates its input (400, not 500) and
 * answers the signed-in person's view.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { nextCacheMock, nextHeadersMock, nextNavigationMock, request } from "../auth/support/request";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());
vi.mock("next/cache", () => nextCacheMock());

import { GET } from "@/app/api/reviews/candidates/route";
import { searchReviewerCandidates } from "@/lib/reviews/candidates";
import { reviewCandidates } from "@/lib/reviews/queries";
import { signInAs } from "../auth/support/fixtures";
import { databasePerFile } from "../support/db";
import { actorOf, launched, person, seedWorld, type World } from "./support";

const file = databasePerFile();
let w: World | null = null;

async function world() {
  if (w) return w;
  const { db } = file;
  w = await seedWorld(db);
  await launched(db, w); // the manager reviews the team's items; the members review nothing
  for (let i = 0; i < 25; i++) await person(db, `Zed Candidate ${String(i).padStart(2, "0")}`);
  return w;
}

const get = async (query: string) => {
  const res = await GET(new Request(`http://portal.test/api/reviews/candidates?${query}`));
  return { status: res.status, body: (await res.json()) as { candidates?: Record<string, unknown>[]; error?: string } };
};

beforeEach(() => request.reset());

describe("reviewer candidates", () => {
  it("a plain member gets nothing, whatever they type", async () => {
    const w = await world();
    for (const q of ["a", "Zed", "Maya", "example.com"]) expect(await searchReviewerCandidates(actorOf(w.members[1]!), { q, limit: 20 }, file.db)).toEqual([]);
    await expect(reviewCandidates(actorOf(w.members[1]!), file.db)).rejects.toThrow(/Only administrators/);
  });

  it("an admin gets at most the limit, with id, name and e-mail only; never auditors or themselves", async () => {
    const w = await world();
    const found = await searchReviewerCandidates(actorOf(w.admin), { q: "zed candidate", limit: 20 }, file.db);
    expect(found).toHaveLength(20);
    expect(found.map((p) => p.name)).toEqual([...found.map((p) => p.name)].sort());
    for (const p of found) expect(Object.keys(p).sort()).toEqual(["email", "id", "name"]);
    expect(await searchReviewerCandidates(actorOf(w.admin), { q: "zed", limit: 5 }, file.db)).toHaveLength(5);
    expect(await searchReviewerCandidates(actorOf(w.admin), { q: w.manager.email.slice(0, 14), limit: 20 }, file.db)).toEqual([{ id: w.manager.id, name: w.manager.name, email: w.manager.email }]);
    expect(await searchReviewerCandidates(actorOf(w.admin), { q: "Otto Auditor", limit: 20 }, file.db)).toEqual([]);
    expect((await searchReviewerCandidates(actorOf(w.admin), { q: "Ada", limit: 20 }, file.db)).map((p) => p.id)).not.toContain(w.admin.id);
  });

  it("a member who reviews something gets names only, found by name only", async () => {
    const w = await world();
    const found = await searchReviewerCandidates(actorOf(w.manager), { q: "Member", limit: 20 }, file.db);
    expect(found.map((p) => p.name).sort()).toEqual(["Member A", "Member B", "Member C"]);
    for (const p of found) expect(Object.keys(p).sort()).toEqual(["id", "name"]);
    expect(await searchReviewerCandidates(actorOf(w.manager), { q: "example.com", limit: 20 }, file.db)).toEqual([]); // no e-mail oracle
  });

  it("the route: input refused with a 400 and a message, the caller's view otherwise", async () => {
    const w = await world();
    expect((await get("q=a")).status).toBe(401);
    await signInAs(file.db, w.members[1]!.id);
    expect(await get("q=Zed")).toEqual({ status: 200, body: { candidates: [] } });
    for (const bad of ["", "q=", "q=a&limit=21", "q=a&limit=0", "q=a&limit=x", "q=a%00b", `q=${"a".repeat(101)}`, "q=a&extra=1"]) {
      const r = await get(bad);
      expect(r.status, bad).toBe(400);
      expect(r.body.error).toMatch(/^The request is not valid: /);
    }
    request.reset();
    await signInAs(file.db, w.admin.id);
    const admin = await get("q=Zed");
    expect(admin.status).toBe(200);
    expect(admin.body.candidates).toHaveLength(20);
    expect(admin.body.candidates![0]).toEqual({ id: expect.any(String), name: "Zed Candidate 00", email: expect.stringMatching(/@example\.com$/) });
  });
});
