/**
 * Reviewer policies: who reviews an item, and why (the reason is frozen onto the item and into the
 * evidence). Pure: the caller loads the directory (people, matches, managers, owners, team managers).
 * Nobody reviews their own access: a candidate who holds the access is skipped, and when no one is left
 * the item goes to the fallback reviewer (or, if that is the holder too, to the campaign's owner).
 */
import type { ItemKind, ReviewerStep } from "./types";

export interface Directory {
  /** Active people: id → name. */
  people: Map<string, string>;
  /** connectionId → PagerDuty user id → person id (alias or e-mail match). */
  personOfPdUser: Map<string, Map<string, string>>;
  /** connectionId → team id → PagerDuty user ids of its managers. */
  teamManagers: Map<string, Map<string, string[]>>;
  /** connectionId → "team:<id>" | "role:<role>" → person ids. */
  owners: Map<string, Map<string, string[]>>;
  /** person id → manager's person id. */
  managers: Map<string, string>;
}

export interface PolicySubject {
  connectionId: string;
  kind: ItemKind;
  subjectPersonId: string | null;
  role: string | null;
  /** The team(s) the entitlement is about (the team; a schedule's teams; a base-role holder's teams). */
  teamPdIds: string[];
  /** JIT_GRANT: what was granted ("team:<id>:<role>" or "base_role:<role>"): a base-role grant goes to the role's owners. */
  entitlementKey?: string;
}

/** A base role (synced, or granted just in time): its owners are the role's, not a team's. */
const isBaseRole = (s: PolicySubject): boolean => s.kind === "BASE_ROLE" || (s.kind === "JIT_GRANT" && (s.entitlementKey ?? "").startsWith("base_role:"));

export interface Assignment {
  reviewerId: string | null;
  reason: string;
}

const STEP_LABEL: Record<ReviewerStep["kind"], string> = {
  team_managers: "team manager in PagerDuty",
  owners: "named owner",
  manager: "the person's manager",
  people: "named reviewer",
};

function candidates(step: ReviewerStep, subject: PolicySubject, dir: Directory): { id: string; why: string }[] {
  switch (step.kind) {
    case "team_managers": {
      const byTeam = dir.teamManagers.get(subject.connectionId);
      const persons = dir.personOfPdUser.get(subject.connectionId);
      const out: { id: string; why: string }[] = [];
      for (const team of subject.teamPdIds) for (const pd of byTeam?.get(team) ?? []) {
        const id = persons?.get(pd);
        if (id) out.push({ id, why: `manager of team ${team}` });
      }
      return out;
    }
    case "owners": {
      const byKey = dir.owners.get(subject.connectionId);
      const keys = isBaseRole(subject) && subject.role ? [`role:${subject.role}`] : subject.teamPdIds.map((t) => `team:${t}`);
      return keys.flatMap((k) => (byKey?.get(k) ?? []).map((id) => ({ id, why: `owner of ${k.replace(":", " ")}` })));
    }
    case "manager": {
      const m = subject.subjectPersonId ? dir.managers.get(subject.subjectPersonId) : undefined;
      return m ? [{ id: m, why: "manager of the person" }] : [];
    }
    case "people":
      return (step.personIds ?? []).map((id) => ({ id, why: "named reviewer" }));
  }
}

/**
 * The reviewer of one step. `exclude`: people who may not review it (the holder is always excluded; for
 * step 2 also whoever decided step 1).
 */
export function assignReviewer(stepNo: number, step: ReviewerStep, subject: PolicySubject, dir: Directory, fallbackId: string, ownerId: string, exclude: readonly string[] = []): Assignment {
  const barred = new Set([...exclude, ...(subject.subjectPersonId ? [subject.subjectPersonId] : [])]);
  const all = candidates(step, subject, dir).filter((c) => dir.people.has(c.id));
  const eligible = all.filter((c) => !barred.has(c.id)).sort((a, b) => (dir.people.get(a.id)! < dir.people.get(b.id)! ? -1 : dir.people.get(a.id)! > dir.people.get(b.id)! ? 1 : a.id < b.id ? -1 : 1));
  const label = `step ${stepNo}: ${STEP_LABEL[step.kind]}`;
  const first = eligible[0];
  if (first) return { reviewerId: first.id, reason: `${label} (${first.why})` };
  const self = subject.subjectPersonId !== null && all.some((c) => c.id === subject.subjectPersonId);
  const why = self ? "self-review: the policy's reviewer holds this access" : all.length ? "the policy's reviewers may not review this step" : `nobody found as ${STEP_LABEL[step.kind]}`;
  if (dir.people.has(fallbackId) && !barred.has(fallbackId)) return { reviewerId: fallbackId, reason: `${label} → fallback reviewer (${why})` };
  if (dir.people.has(ownerId) && !barred.has(ownerId)) return { reviewerId: ownerId, reason: `${label} → campaign owner (${why}; the fallback reviewer may not review it)` };
  return { reviewerId: null, reason: `${label}: no eligible reviewer (${why}); an admin must reassign it` };
}
