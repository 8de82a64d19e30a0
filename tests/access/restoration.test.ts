/**
 * Prior-state restoration when just-in-time access ends, checked in the simulator: a base-role elevation
 * goes back to the previous base role; an elevated pre-existing membership goes back to its role (not
 * removed); overlapping grants on one holding end when the last one ends, each step leaving what the
 * others still need; access given back early ends the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideRequest } from "@/lib/access/decide";
import { createRequest, returnAccess } from "@/lib/access/requests";
import { createRequestInput, requestRefInput } from "@/lib/access/schemas";
import type { Actor } from "@/lib/auth/session";
import { actorOf, namedApprovers, baseRoleItem, newTeam, pdUsers, person, personOfPdUser, startAccessWorld, stopAccessWorld, teamItem, untilStatus, type AccessWorld } from "./support";

let w: AccessWorld;
let approver: Actor;
beforeAll(async () => {
  w = await startAccessWorld();
  approver = actorOf(await person(w.db, { label: "approver" }));
});
afterAll(() => stopAccessWorld(w));

const MIN = 60_000;

/** Requests and approves; resolves once PagerDuty shows the grant (ACTIVE). */
async function granted(requester: Actor, itemId: string, minutes: number) {
  const { requestId } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: minutes, reason: "on-call cover" }));
  expect((await decideRequest(w.db, approver, { requestId, decision: "approve", comment: "" })).status).toBe("approved");
  await untilStatus(w, requestId, "ACTIVE");
  return requestId;
}

const history = async (id: string) => (await w.db.accessRequestEvent.findMany({ where: { requestId: id }, orderBy: { seq: "asc" } })).map((e) => e.kind);
const role = (teamId: string, userId: string) => w.sim.state.membership(teamId, userId)?.role;

describe("prior-state restoration", () => {
  it("a base-role elevation limited_user → user goes back to limited_user at expiry", async () => {
    const s = w.sim.state;
    const [userId] = pdUsers(w, 1, (u) => u.role === "limited_user" && (s.data.licenses.get(s.data.users.get(u.id)!.licenseId ?? "")?.valid_roles.includes("user") ?? true));
    const requester = await personOfPdUser(w, userId!);
    const { itemId } = await baseRoleItem(w, "user", [approver.personId], {}, ["limited_user"]);
    const id = await granted(requester, itemId, 60);
    expect(s.data.users.get(userId!)!.role).toBe("user");
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id } })).priorState).toEqual({ role: "limited_user" });

    w.clock.advance(61 * MIN);
    const ended = await untilStatus(w, id, "ENDED");
    expect(ended.endReason).toBe("EXPIRED");
    expect(s.data.users.get(userId!)!.role).toBe("limited_user");
    const change = await w.db.changeRequest.findUniqueOrThrow({ where: { id: ended.endChangeId! } });
    expect(change).toMatchObject({ status: "VERIFIED" });
  });

  it("a pre-existing responder elevated to manager goes back to responder, not removed", async () => {
    const [managerId, responderId] = pdUsers(w, 2);
    const teamId = await newTeam(w, [{ userId: managerId!, role: "manager" }, { userId: responderId!, role: "responder" }]);
    const { itemId } = await teamItem(w, teamId, "manager"); // the team's managers approve
    const requester = await personOfPdUser(w, responderId!);
    const manager = await personOfPdUser(w, managerId!);
    const { requestId } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: 30, reason: "rotation swap" }));
    expect((await decideRequest(w.db, manager, { requestId, decision: "approve", comment: "" })).status).toBe("approved");
    const active = await untilStatus(w, requestId, "ACTIVE");
    expect(active.priorState).toEqual({ member: true, role: "responder" });
    expect(role(teamId, responderId!)).toBe("manager");

    w.clock.advance(31 * MIN);
    await untilStatus(w, requestId, "ENDED");
    expect(role(teamId, responderId!)).toBe("responder");
  });

  it("two grants of one item: the first to expire changes nothing, the last one removes the membership", async () => {
    const [managerId, userId] = pdUsers(w, 2);
    const teamId = await newTeam(w, [{ userId: managerId!, role: "manager" }]);
    const { itemId } = await teamItem(w, teamId, "responder", namedApprovers([approver.personId]));
    const requester = await personOfPdUser(w, userId!);
    const first = await granted(requester, itemId, 60);
    const second = await granted(requester, itemId, 180); // held through the first grant: allowed, ends on its own
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id: second } })).priorState).toEqual({ member: false });
    const changes = await w.db.changeRequest.count();

    w.clock.advance(61 * MIN);
    const ended = await untilStatus(w, first, "ENDED");
    expect(ended.endReason).toBe("EXPIRED");
    expect(await history(first)).toContain("superseded");
    expect(await w.db.changeRequest.count()).toBe(changes);
    expect(role(teamId, userId!)).toBe("responder");

    w.clock.advance(120 * MIN);
    await untilStatus(w, second, "ENDED");
    expect(role(teamId, userId!)).toBeUndefined();
    for (const id of [first, second]) expect(await history(id)).not.toContain("drift");
  });

  it("a manager grant over a responder grant: the manager's end goes back to responder, the responder's end removes", async () => {
    const [userId] = pdUsers(w, 1);
    const teamId = await newTeam(w);
    const responder = await teamItem(w, teamId, "responder", namedApprovers([approver.personId]));
    const manager = await teamItem(w, teamId, "manager", namedApprovers([approver.personId]));
    const requester = await personOfPdUser(w, userId!);
    const long = await granted(requester, responder.itemId, 180);
    const short = await granted(requester, manager.itemId, 60);
    expect(role(teamId, userId!)).toBe("manager");

    w.clock.advance(61 * MIN);
    await untilStatus(w, short, "ENDED");
    expect(role(teamId, userId!)).toBe("responder");
    w.clock.advance(120 * MIN);
    await untilStatus(w, long, "ENDED");
    expect(role(teamId, userId!)).toBeUndefined();
    // Holding manager for a while is no drift of the responder grant: the holding covered it.
    for (const id of [long, short]) expect(await history(id)).not.toContain("drift");
  });

  it("a responder grant requested while a manager grant lasts: allowed, the manager is not lowered, each end restores what is still needed", async () => {
    const [userId] = pdUsers(w, 1);
    const teamId = await newTeam(w);
    const manager = await teamItem(w, teamId, "manager", namedApprovers([approver.personId]));
    const responder = await teamItem(w, teamId, "responder", namedApprovers([approver.personId]));
    const requester = await personOfPdUser(w, userId!);
    const short = await granted(requester, manager.itemId, 60);
    const long = await granted(requester, responder.itemId, 180);
    expect(role(teamId, userId!)).toBe("manager");
    expect((await w.db.accessRequest.findUniqueOrThrow({ where: { id: long } })).priorState).toEqual({ member: false });

    w.clock.advance(61 * MIN);
    await untilStatus(w, short, "ENDED");
    expect(role(teamId, userId!)).toBe("responder");
    w.clock.advance(120 * MIN);
    await untilStatus(w, long, "ENDED");
    expect(role(teamId, userId!)).toBeUndefined();
    for (const id of [long, short]) expect(await history(id)).not.toContain("drift");
  });

  it("access given back early is removed at once and the request says so", async () => {
    const [userId] = pdUsers(w, 1);
    const teamId = await newTeam(w);
    const { itemId } = await teamItem(w, teamId, "observer", namedApprovers([approver.personId]));
    const requester = await personOfPdUser(w, userId!);
    const id = await granted(requester, itemId, 240);
    expect(role(teamId, userId!)).toBe("observer");
    await expect(returnAccess(w.db, approver, requestRefInput.parse({ requestId: id }))).rejects.toThrow(/No such request of yours/);
    expect(await returnAccess(w.db, requester, requestRefInput.parse({ requestId: id, reason: "done early" }))).toEqual({ outcome: "ending" });
    const ended = await untilStatus(w, id, "ENDED");
    expect(ended).toMatchObject({ endReason: "RETURNED", endedById: requester.personId });
    expect(role(teamId, userId!)).toBeUndefined();
    await expect(returnAccess(w.db, requester, requestRefInput.parse({ requestId: id }))).rejects.toThrow(/Only live access can be given back/);
  });
});
