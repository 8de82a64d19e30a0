/**
 * Just-in-time access end to end on the server: request → approval → grant through the pipeline,
 * verified in the simulator → expiry on the portal's clock → prior state restored and verified.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequest } from "@/lib/access/requests";
import { decideRequest } from "@/lib/access/decide";
import { createRequestInput } from "@/lib/access/schemas";
import { personOfPdUser, startAccessWorld, stopAccessWorld, teamItem, tickUntil, type AccessWorld } from "./support";

let w: AccessWorld;
beforeAll(async () => {
  w = await startAccessWorld();
});
afterAll(() => stopAccessWorld(w));

/** A team, one of its managers (the approver) and a user who is not on it (the requester). */
function teamWithManagerAndOutsider() {
  const s = w.sim.state;
  for (const team of s.teamsOrdered()) {
    const manager = [...s.data.memberships.values()].find((m) => m.teamId === team.id && m.role === "manager");
    const outsider = s.usersOrdered().find((u) => !u.role.startsWith("read_only") && u.role !== "owner" && !s.membership(team.id, u.id) && s.policiesTargetingUser(u.id).length === 0);
    if (manager && outsider) return { team, managerPdId: manager.userId, requesterPdId: outsider.id };
  }
  throw new Error("no team with a manager and an outsider");
}

describe("just-in-time access", () => {
  it("grants a team role on approval, verifies it, and removes it at expiry", async () => {
    const { team, managerPdId, requesterPdId } = teamWithManagerAndOutsider();
    const { itemId } = await teamItem(w, team.id, "manager");
    const requester = await personOfPdUser(w, requesterPdId);
    const manager = await personOfPdUser(w, managerPdId);
    const { requestId } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: 120, reason: "incident follow-up" }));
    const decided = await decideRequest(w.db, manager, { requestId, decision: "approve", comment: "ok" });
    expect(decided.status).toBe("approved");
    const active = await tickUntil(w, async () => {
      const r = await w.db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
      return r.status === "ACTIVE" ? r : null;
    });
    expect(w.sim.state.membership(team.id, requesterPdId)?.role).toBe("manager");
    expect(active.priorState).toEqual({ member: false });
    const grant = await w.db.grant.findFirst({ where: { connectionId: w.connectionId, pdUserId: requesterPdId, removedAt: null, entitlementKey: `team:${team.id}:manager` } });
    expect(grant).toMatchObject({ origin: "REQUEST", originRef: `approval:${requestId}` });

    w.clock.advance(121 * 60_000);
    const ended = await tickUntil(w, async () => {
      const r = await w.db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
      return r.status === "ENDED" ? r : null;
    });
    expect(ended.endReason).toBe("EXPIRED");
    expect(w.sim.state.membership(team.id, requesterPdId)).toBeFalsy();
    const history = await w.db.accessRequestEvent.findMany({ where: { requestId }, orderBy: { seq: "asc" } });
    expect(history.map((e) => e.kind)).toEqual(["requested", "approval", "approved", "grant_requested", "grant_verified", "end_requested", "end_verified"]);
  });
});
