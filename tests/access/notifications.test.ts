/**
 * Notifications of just-in-time access, in-app and by e-mail through the local SMTP receiver: approvers
 * hear that a request waits for them; the requester hears of the decision, the grant, the coming end and
 * the end. Repeated ticks send nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAccess } from "@/lib/access/options";
import { decideRequest } from "@/lib/access/decide";
import { createRequest } from "@/lib/access/requests";
import { createRequestInput } from "@/lib/access/schemas";
import { accessTick } from "@/lib/access/tick";
import { startSmtpReceiver, type SmtpReceiver } from "../support/smtp";
import { actorOf, newTeam, pdUsers, person, personOfPdUser, startAccessWorld, stopAccessWorld, teamItem, untilStatus, type AccessWorld } from "./support";

let w: AccessWorld;
let smtp: SmtpReceiver;
beforeAll(async () => {
  w = await startAccessWorld();
  smtp = await startSmtpReceiver();
  configureAccess({ now: () => w.clock.now, smtpUrl: smtp.url, portalUrl: "http://portal.example.test" });
});
afterAll(async () => {
  await stopAccessWorld(w);
  await smtp?.close();
});

const MIN = 60_000;
const tick = () => accessTick(w.db, new Date(w.clock.now));
const mailsTo = (email: string) => smtp.inbox.filter((m) => m.to.includes(email));
const subjectOf = (m: { data: string }) => /^Subject: (.*)$/m.exec(m.data)?.[1] ?? "";

describe("notifications", () => {
  it("approvers hear a request waits; the requester hears of approval, grant, the coming end and the end; nothing twice", async () => {
    const [userId] = pdUsers(w, 1);
    const teamId = await newTeam(w);
    const [a1, a2] = [await person(w.db, { label: "approver-1" }), await person(w.db, { label: "approver-2" })];
    const { itemId } = await teamItem(w, teamId, "responder", { deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: [a1.id, a2.id], groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }], expiryNoticeMinutes: 15 });
    const requester = await personOfPdUser(w, userId!);
    const { requestId, number } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: 60, reason: "release night" }));

    for (const a of [a1, a2]) {
      expect(await w.db.notification.findFirst({ where: { personId: a.id, kind: "access_request.waiting", subjectId: requestId } })).toMatchObject({ title: `REQ-${number} waits for your approval`, emailedAt: null });
    }
    expect((await tick()).email).toBe(2);
    for (const a of [a1, a2]) {
      const mails = mailsTo(a.email);
      expect(mails).toHaveLength(1);
      expect(subjectOf(mails[0]!)).toBe(`REQ-${number} waits for your approval`);
      expect(mails[0]!.data).toContain("release night");
      expect(mails[0]!.data).toContain(`http://portal.example.test/requests/approvals?request=${requestId}`);
    }
    expect((await tick()).email).toBe(0);

    await decideRequest(w.db, actorOf(a1), { requestId, decision: "approve", comment: "go ahead" });
    await untilStatus(w, requestId, "ACTIVE");
    await tick();
    w.clock.advance(46 * MIN); // 14 minutes before the end: within the 15-minute notice
    await tick();
    await tick();
    w.clock.advance(15 * MIN);
    await untilStatus(w, requestId, "ENDED");
    await tick();
    await tick();

    const inApp = await w.db.notification.findMany({ where: { personId: requester.personId }, orderBy: { createdAt: "asc" } });
    expect(inApp.map((n) => n.kind)).toEqual(["access_request.decided", "access_request.granted", "access_request.expiring", "access_request.ended"]);
    expect(inApp.every((n) => n.emailedAt !== null)).toBe(true);
    const subjects = mailsTo(requester.email).map(subjectOf);
    expect(subjects).toEqual([`REQ-${number} was approved`, `REQ-${number}: access granted`, `REQ-${number}: your access ends in 14 min`, `REQ-${number}: your access ended`]);
    // Approvers were told once each, and nothing about the requester's steps.
    for (const a of [a1, a2]) expect(mailsTo(a.email)).toHaveLength(1);
  });

  it("a denial reaches the requester with the approver's comment", async () => {
    const [userId] = pdUsers(w, 1);
    const teamId = await newTeam(w);
    const approver = await person(w.db, { label: "denier" });
    const { itemId } = await teamItem(w, teamId, "observer", { deciders: [{ kind: "approvers", approvers: { teamManagers: false, personIds: [approver.id], groupIds: [] }, approvalsNeeded: 1, distinctGroups: false }] });
    const requester = await personOfPdUser(w, userId!);
    const { requestId, number } = await createRequest(w.db, requester, createRequestInput.parse({ itemId, durationMinutes: 30, reason: "curious" }));
    await decideRequest(w.db, actorOf(approver), { requestId, decision: "deny", comment: "use the read-only view" });
    await tick();
    await tick();
    const mails = mailsTo(requester.email);
    expect(mails.map(subjectOf)).toEqual([`REQ-${number} was denied`]);
    expect(mails[0]!.data).toContain("use the read-only view");
  });
});
