/** The pure parts of the PagerDuty pages: freshness, on call now/next, people matching. */
import { describe, expect, it } from "vitest";
import { ago, freshness } from "@/lib/pagerduty-data/freshness";
import { matchPeople } from "@/lib/pagerduty-data/matching";
import { onCallAt } from "@/lib/pagerduty-data/schedules";

const T = new Date("2026-11-23T10:00:00Z");
const at = (iso: string) => new Date(iso);

describe("freshness", () => {
  it("never synced, fresh, stale after two intervals, failing", () => {
    expect(freshness({ lastSuccessfulSyncAt: null, syncIntervalMinutes: 15 }, T)).toMatchObject({ state: "never", label: "never synced" });
    expect(freshness({ lastSuccessfulSyncAt: at("2026-11-23T09:57:00Z"), syncIntervalMinutes: 15 }, T)).toMatchObject({ state: "fresh", label: "synced 3 min ago" });
    expect(freshness({ lastSuccessfulSyncAt: at("2026-11-23T09:30:00Z"), syncIntervalMinutes: 15 }, T).state).toBe("fresh");
    expect(freshness({ lastSuccessfulSyncAt: at("2026-11-23T09:29:00Z"), syncIntervalMinutes: 15 }, T)).toMatchObject({ state: "stale", label: "stale · synced 31 min ago" });
    expect(freshness({ lastSuccessfulSyncAt: at("2026-11-23T09:57:00Z"), lastRunFailed: true, syncIntervalMinutes: 15 }, T)).toMatchObject({ state: "failing", label: "last sync failed · data from 3 min ago" });
    expect(freshness({ lastSuccessfulSyncAt: null, lastRunFailed: true, syncIntervalMinutes: 15 }, T).state).toBe("failing");
  });

  it("says how long ago in words", () => {
    expect(ago(at("2026-11-23T09:59:30Z"), T)).toBe("just now");
    expect(ago(at("2026-11-23T07:00:00Z"), T)).toBe("3 h ago");
    expect(ago(at("2026-11-19T10:00:00Z"), T)).toBe("4 days ago");
  });
});

describe("on call now and next", () => {
  const shift = (user: string, start: string | null, end: string | null) => ({ userPdId: user, start: start ? at(start) : null, end: end ? at(end) : null });

  it("exact to the minute: a shift ending now is over, one starting now has begun", () => {
    const shifts = [shift("A", "2026-11-23T02:00:00Z", "2026-11-23T10:00:00Z"), shift("B", "2026-11-23T10:00:00Z", "2026-11-23T18:00:00Z"), shift("C", "2026-11-23T18:00:00Z", "2026-11-24T02:00:00Z")];
    const r = onCallAt(shifts, T);
    expect(r.now.map((s) => s.userPdId)).toEqual(["B"]);
    expect(r.next?.userPdId).toBe("C");
    const oneMinuteEarlier = onCallAt(shifts, at("2026-11-23T09:59:00Z"));
    expect(oneMinuteEarlier.now.map((s) => s.userPdId)).toEqual(["A"]);
    expect(oneMinuteEarlier.next?.userPdId).toBe("B");
  });

  it("one slot per user and time, whichever policy or level reached it; overlapping layers all shown", () => {
    const shifts = [shift("A", "2026-11-23T08:00:00Z", "2026-11-23T12:00:00Z"), shift("A", "2026-11-23T08:00:00Z", "2026-11-23T12:00:00Z"), shift("D", "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z"), shift("E", null, null)];
    const r = onCallAt(shifts, T);
    expect(r.now.map((s) => s.userPdId)).toEqual(["A", "D", "E"]);
    expect(r.next).toBeNull();
  });
});

describe("people ↔ PagerDuty users", () => {
  const people = [
    { id: "p1", email: "Ann@Example.com" },
    { id: "p2", email: "bob@example.com" },
    { id: "p3", email: "cy@example.com" },
  ];
  const users = [
    { pdId: "U1", emailLower: "ann@example.com" },
    { pdId: "U2", emailLower: "robert@example.com" },
    { pdId: "U3", emailLower: "bob@example.com" },
  ];

  it("matches emails case-insensitively", () => {
    const m = matchPeople(people, users, []);
    expect(m.byPdUser.get("U1")).toEqual({ personId: "p1", via: "email" });
    expect(m.byPdUser.get("U3")).toEqual({ personId: "p2", via: "email" });
    expect(m.byPdUser.has("U2")).toBe(false);
    expect(m.byPerson.has("p3")).toBe(false);
  });

  it("an alias wins, and frees the email match it replaces", () => {
    const m = matchPeople(people, users, [{ personId: "p2", pdUserId: "U2" }]);
    expect(m.byPdUser.get("U2")).toEqual({ personId: "p2", via: "alias" });
    expect(m.byPdUser.has("U3")).toBe(false);
    expect(m.byPerson.get("p2")).toEqual({ pdUserId: "U2", via: "alias" });
  });

  it("an alias to a user no longer synced matches nothing, and does not fall back to email", () => {
    const m = matchPeople(people, users, [{ personId: "p1", pdUserId: "GONE" }]);
    expect(m.byPerson.has("p1")).toBe(false);
    expect(m.byPdUser.has("U1")).toBe(false);
  });
});
