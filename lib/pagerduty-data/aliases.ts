import "server-only";
import { appendAudit } from "@/lib/audit";
import { DomainError, NotFoundError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import type { Db, Tx } from "@/lib/db";
import { flagLinkChanges, type LinkChange } from "@/lib/reviews/link-flags";
import type { SetAliasInput } from "./schemas";

export interface AliasContext {
  requestId: string | null;
  clientIp: string | null;
}

export type AliasOutcome = "set" | "changed" | "removed" | "unchanged";

/**
 * Sets (or removes, pdUserId null) the alias saying "this person is that PagerDuty user on that
 * connection". The caller (a server action) has authorized `pagerduty.manage`. One PagerDuty user belongs
 * to at most one person: an alias already held by someone else is refused, not moved silently.
 */
export async function setAlias(db: Db, actor: Actor, input: SetAliasInput, ctx: AliasContext): Promise<AliasOutcome> {
  return db.$transaction(async (tx) => {
    const connection = await tx.pagerDutyConnection.findUnique({ where: { id: input.connectionId }, select: { id: true, status: true } });
    if (!connection || connection.status === "REMOVED") throw new NotFoundError("No such connection: it does not exist or was removed.");
    const person = await tx.person.findUnique({ where: { id: input.personId }, select: { id: true, email: true } });
    if (!person) throw new NotFoundError("No such person in the portal.");
    const current = await tx.personPagerDutyLink.findUnique({ where: { connectionId_personId: { connectionId: input.connectionId, personId: input.personId } } });

    if (input.pdUserId === null) {
      if (!current) return "unchanged";
      await tx.personPagerDutyLink.delete({ where: { id: current.id } });
      await audit(tx, actor, "pagerduty.alias_removed", input, ctx, { pdUserId: current.pdUserId }, null);
      await flag(tx, actor, [{ connectionId: input.connectionId, pdUserId: current.pdUserId, fromPersonId: person.id, toPersonId: null }]);
      return "removed";
    }
    if (current?.pdUserId === input.pdUserId) return "unchanged";
    const pdUser = await tx.pdUser.findUnique({ where: { connectionId_pdId: { connectionId: input.connectionId, pdId: input.pdUserId } }, select: { removedAt: true, emailLower: true } });
    if (!pdUser || pdUser.removedAt) throw new DomainError("That PagerDuty user is not in this account's synced picture.", { pdUserId: ["No such PagerDuty user on this connection."] });
    const holder = await tx.personPagerDutyLink.findUnique({ where: { connectionId_pdUserId: { connectionId: input.connectionId, pdUserId: input.pdUserId } }, include: { person: { select: { email: true } } } });
    if (holder) throw new DomainError(`That PagerDuty user is already the alias of ${holder.person.email}: remove that alias first.`, { pdUserId: ["Already linked to another person."] });

    if (current) await tx.personPagerDutyLink.update({ where: { id: current.id }, data: { pdUserId: input.pdUserId, setById: actor.personId } });
    else await tx.personPagerDutyLink.create({ data: { connectionId: input.connectionId, personId: input.personId, pdUserId: input.pdUserId, setById: actor.personId } });
    await audit(tx, actor, "pagerduty.alias_set", input, ctx, current ? { pdUserId: current.pdUserId } : null, { pdUserId: input.pdUserId });
    // Until now the PagerDuty user was matched by e-mail (if at all): that person is who it was before.
    const byEmail = await tx.person.findUnique({ where: { email: pdUser.emailLower }, select: { id: true } });
    const changes: LinkChange[] = [{ connectionId: input.connectionId, pdUserId: input.pdUserId, fromPersonId: byEmail?.id ?? null, toPersonId: person.id }];
    if (current) changes.push({ connectionId: input.connectionId, pdUserId: current.pdUserId, fromPersonId: person.id, toPersonId: null });
    await flag(tx, actor, changes);
    return current ? "changed" : "set";
  });
}

/** Separation of duties: open campaigns holding items of these PagerDuty users are flagged (lib/reviews/link-flags). */
function flag(tx: Tx, actor: Actor, changes: LinkChange[]) {
  return flagLinkChanges(tx, changes.filter((c) => c.fromPersonId !== c.toPersonId), { personId: actor.personId, actor: { type: "person", id: actor.personId, label: actor.email } });
}

function audit(tx: Tx, actor: Actor, action: string, input: SetAliasInput, ctx: AliasContext, before: unknown, after: unknown) {
  return appendAudit(tx, {
    actor: { type: "person", id: actor.personId, label: actor.email },
    action,
    target: { type: "person", id: input.personId },
    accountId: input.connectionId,
    before,
    after,
    ...ctx,
  });
}
