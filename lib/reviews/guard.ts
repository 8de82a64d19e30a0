/**
 * Who may act on which review item (the per-item half of authorization; lib/auth/access.ts decides the
 * role half). An item may be decided by its reviewer, or by someone the reviewer delegated to for now,
 * never by the person whose access it is (nor, for a just-in-time grant, by whoever approved it), only
 * while the campaign is ACTIVE.
 */
import { can, type Permission } from "@/lib/auth/access";
import { AuthenticationError, AuthorizationError, DomainError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import type { DbOrTx } from "@/lib/db";

export class ReviewRefused extends DomainError {
  constructor(message: string, fieldErrors?: Record<string, string[]>) {
    super(message, fieldErrors);
    this.name = "ReviewRefused";
  }
}

export function requireActor(actor: Actor | null, permission: Permission, message?: string): Actor {
  if (!actor) throw new AuthenticationError();
  if (!can(actor, permission)) throw new AuthorizationError(message);
  return actor;
}

/** The people whose review items `personId` may decide right now: themselves and whoever delegated to them. */
export async function actingFor(db: DbOrTx, personId: string, now: Date): Promise<{ ids: string[]; delegators: Map<string, string> }> {
  const rows = await db.reviewDelegation.findMany({
    where: { toPersonId: personId, revokedAt: null, startsAt: { lte: now }, endsAt: { gt: now } },
    select: { fromPersonId: true, id: true },
  });
  const delegators = new Map(rows.map((r) => [r.fromPersonId, r.id]));
  return { ids: [personId, ...delegators.keys()], delegators };
}

export interface DecidableFacts {
  reviewerId: string | null;
  subjectPersonId: string | null;
  /** JIT_GRANT items: who approved the grant (or an extension of it); they never review it. */
  approverIds?: ReadonlySet<string>;
}

/** The message when an approver would receive or decide the review of a grant they approved (`name` null: the actor). */
export function jitApproverRefusal(name: string | null, what: string): string {
  return `${name ?? "You"} approved ${what}: separation of duties keeps its review away from ${name ? "them" : "you"} (an approver never certifies their own approval).`;
}

/** Why this actor may not decide this item now (null: they may). */
export function decideRefusal(actor: Actor, item: DecidableFacts, actingIds: readonly string[]): string | null {
  if (item.subjectPersonId === actor.personId) return "You cannot review your own access: this item goes to another reviewer.";
  if (item.approverIds?.has(actor.personId)) return jitApproverRefusal(null, "this just-in-time grant");
  const assignees = item.reviewerId ? actingIds.filter((id) => id === item.reviewerId) : [];
  if (!can(actor, "review.decide", { assigneeIds: assignees.length ? [actor.personId] : [] })) return "You are not the reviewer of this item (nor their delegate).";
  return null;
}

export async function loadActiveCampaign(db: DbOrTx, campaignId: string, lock = false) {
  if (lock) await db.$queryRaw`SELECT "id" FROM "ReviewCampaign" WHERE "id" = ${campaignId} FOR UPDATE`;
  const campaign = await db.reviewCampaign.findUnique({ where: { id: campaignId } });
  if (!campaign) throw new ReviewRefused("No such campaign.");
  if (campaign.status === "CLOSED") throw new ReviewRefused(`The campaign "${campaign.name}" is closed: its decisions and evidence can no longer change.`);
  if (campaign.status !== "ACTIVE") throw new ReviewRefused(`The campaign "${campaign.name}" has not been launched yet.`);
  return campaign;
}
