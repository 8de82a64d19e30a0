import "server-only";
/**
 * Reviewer candidates for the pickers (delegate to, reassign to): a bounded type-ahead searched on the
 * server, returning only what the caller may see. Admins (who assign reviewers) get id, name and e-mail;
 * a member who reviews something right now (and so may reassign or delegate it) gets id and name, found by
 * name only; anyone else gets nothing. The whole staff directory never leaves the server.
 */
import { can } from "@/lib/auth/access";
import { AuthenticationError } from "@/lib/auth/errors";
import type { Actor } from "@/lib/auth/session";
import { getDb, type Db, type DbOrTx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { actingFor } from "./guard";
import { reviewNow } from "./options";
import { CANDIDATE_LIMIT, type CandidateQueryInput } from "./schemas";

export interface ReviewerCandidate {
  id: string;
  name: string;
  /** Only for those who assign reviewers (admins). */
  email?: string;
}

/** "full": id, name, e-mail (admins); "names": id and name (a member reviewing something now); "none". */
export type CandidateAccess = "full" | "names" | "none";

export async function candidateAccess(db: DbOrTx, actor: Actor | null): Promise<CandidateAccess> {
  if (!actor || !can(actor, "review.read")) return "none";
  if (can(actor, "campaign.manage")) return "full";
  if (!can(actor, "review.decide")) return "none";
  const acting = await actingFor(db, actor.personId, reviewNow());
  const reviewing = await db.reviewItem.findFirst({ where: { reviewerId: { in: acting.ids }, state: "PENDING", campaign: { status: "ACTIVE" } }, select: { id: true } });
  return reviewing ? "names" : "none";
}

/** Active people who may review (never auditors, never the caller) whose name (admins: or e-mail) contains `q`, by name, at most `limit`. */
export async function searchReviewerCandidates(actor: Actor | null, input: CandidateQueryInput, db?: Db): Promise<ReviewerCandidate[]> {
  if (!actor) throw new AuthenticationError();
  const d = db ?? (await getDb());
  const access = await candidateAccess(d, actor);
  if (access === "none") return [];
  const q = input.q.trim();
  const match: Prisma.PersonWhereInput[] = [{ name: { contains: q, mode: "insensitive" } }];
  if (access === "full") match.push({ email: { contains: q.toLowerCase() } });
  // Auditors stay independent and review nothing (an enum-array filter, in SQL: the embedded driver cannot bind it).
  const auditors = await d.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Person" WHERE 'AUDITOR'::"PortalRole" = ANY("roles")`;
  const rows = await d.person.findMany({
    where: { status: "ACTIVE", id: { notIn: [actor.personId, ...auditors.map((a) => a.id)] }, OR: match },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: Math.min(input.limit, CANDIDATE_LIMIT),
    select: { id: true, name: true, email: true },
  });
  return rows.map((p) => (access === "full" ? { id: p.id, name: p.name, email: p.email } : { id: p.id, name: p.name }));
}

/** For pages: whether (and with which fields) the signed-in person may use the reviewer pickers. */
export async function reviewerPickerAccess(actor: Actor | null): Promise<CandidateAccess> {
  return candidateAccess(await getDb(), actor);
}
