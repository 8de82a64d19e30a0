/**
 * The brake (architecture invariant 7): a batch that would touch too many of an account's users, or delete
 * too many, waits for a person. A bad trigger (a wrong role mapping, an emptied identity group) then stops
 * at a preview instead of propagating through PagerDuty at machine speed. Pure.
 */
import type { DbOrTx } from "@/lib/db";

export interface ChangeSettings {
  downgradeRole: string;
  /** Hold a batch that touches more than this share (0..1) of the account's users. */
  brakeUserShare: number;
  /** Hold a batch that deletes more than this many users. */
  brakeMaxDeletions: number;
  coverageHorizonHours: number;
}

export const DEFAULT_SETTINGS: ChangeSettings = { downgradeRole: "limited_user", brakeUserShare: 0.1, brakeMaxDeletions: 5, coverageHorizonHours: 24 };

export async function changeSettings(db: DbOrTx, connectionId: string): Promise<ChangeSettings> {
  const row = await db.changePolicy.findUnique({ where: { connectionId } });
  return row
    ? { downgradeRole: row.downgradeRole, brakeUserShare: row.brakeUserShare, brakeMaxDeletions: row.brakeMaxDeletions, coverageHorizonHours: row.coverageHorizonHours }
    : DEFAULT_SETTINGS;
}

export interface BatchFacts {
  /** Distinct PagerDuty users (or new e-mail addresses) the batch touches. */
  usersTouched: number;
  deletions: number;
  /** Users in the account per the synced model (0: not synced yet). */
  accountUsers: number;
}

/** Why the batch must be held, or null. Without a synced user count only the deletion limit applies. */
export function brakeReason(facts: BatchFacts, settings: Pick<ChangeSettings, "brakeUserShare" | "brakeMaxDeletions">): string | null {
  const reasons: string[] = [];
  if (facts.accountUsers > 0 && facts.usersTouched > settings.brakeUserShare * facts.accountUsers) {
    const share = Math.round((facts.usersTouched / facts.accountUsers) * 100);
    reasons.push(`it touches ${facts.usersTouched} of ${facts.accountUsers} users (${share}%, above the ${Math.round(settings.brakeUserShare * 100)}% limit)`);
  }
  if (facts.deletions > settings.brakeMaxDeletions) reasons.push(`it deletes ${facts.deletions} users (more than ${settings.brakeMaxDeletions})`);
  return reasons.length ? `Held for approval: ${reasons.join(" and ")}.` : null;
}
