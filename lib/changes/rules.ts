/**
 * PagerDuty's own rules, checked before a change is created (so an impossible change is refused with a
 * reason instead of failing later) and used to explain a refusal PagerDuty gives anyway. Pure functions.
 */
import type { PagerDutyError } from "@/lib/pagerduty";
import type { Desired } from "./types";

/** NOTES §2.1: read-only roles need `read_only_users`; observer and restricted_access need advanced permissions. */
const ROLE_ABILITY: Record<string, string> = {
  read_only_user: "read_only_users",
  read_only_limited_user: "read_only_users",
  observer: "advanced_permissions",
  restricted_access: "advanced_permissions",
};

/** Why the account cannot hold `role`, or null. An empty ability list means "not known": no refusal. */
export function roleAbilityProblem(role: string, abilities: readonly string[]): string | null {
  const needed = ROLE_ABILITY[role];
  if (!needed || abilities.length === 0 || abilities.includes(needed)) return null;
  return `The PagerDuty account cannot give the base role ${role}: it lacks the ${needed} ability.`;
}

/** Why the user's license does not allow `role`, or null when it does (or the license is not known). */
export function roleLicenseProblem(role: string, license: { name: string | null; validRoles: readonly string[] } | null): string | null {
  if (!license || license.validRoles.length === 0 || license.validRoles.includes(role)) return null;
  const name = license.name ? `license ${license.name}` : "license";
  return `The user's ${name} does not allow the base role ${role} (it allows ${license.validRoles.join(", ")}). Change the license in PagerDuty first, or choose one of those roles.`;
}

/**
 * A base role cannot be removed in PagerDuty, only changed: removal becomes a change to the connection's
 * downgrade role, which the account must be able to hold.
 */
export function downgradeRole(configured: string, abilities: readonly string[]): string {
  const problem = roleAbilityProblem(configured, abilities);
  if (problem) throw new RuleViolation(`${problem} Set the connection's downgrade role to one the account allows (e.g. limited_user).`);
  return configured;
}

export class RuleViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuleViolation";
  }
}

export interface Refusal {
  message: string;
  suggestedFix: string;
}

/** PagerDuty's refusal in words an admin can act on. `blockingPolicies` names the team's policies that target the user. */
export function explainRefusal(error: PagerDutyError, desired: Desired, context: { blockingPolicies?: string[]; openIncidents?: number } = {}): Refusal {
  const detail = [error.message, ...error.errors].join(" ").toLowerCase();
  const message = `PagerDuty refused (${error.status}${error.code !== undefined ? `, code ${error.code}` : ""}): ${error.errors.length ? error.errors.join("; ") : error.message}`;
  if (desired.kind === "TEAM_MEMBER_REMOVE" && (detail.includes("escalation polic") || (context.blockingPolicies?.length ?? 0) > 0)) {
    const names = context.blockingPolicies?.length ? context.blockingPolicies.map((n) => `"${n}"`).join(", ") : "this team's escalation policies";
    return {
      message: `${message}. The user is a target of ${names}.`,
      suggestedFix: `Remove the user from ${names} (or move those policies off the team) in PagerDuty, then retry this change.`,
    };
  }
  if (desired.kind === "USER_DELETE" && (detail.includes("incident") || (context.openIncidents ?? 0) > 0)) {
    return {
      message,
      suggestedFix: "Resolve or reassign the incidents assigned to this user in PagerDuty (or enable the offboarding feature), then retry.",
    };
  }
  if (error.status === 402) return { message, suggestedFix: "The PagerDuty account lacks an ability this change needs (see its abilities on the connection page). Change the plan or choose another change." };
  if (error.status === 403 || error.status === 401) {
    return { message, suggestedFix: "The connection's credential may not make this change: use a full-access key, or grant the OAuth app users.write / teams.write / oauth_delegations.write, then retry." };
  }
  if (desired.kind === "TEAM_MEMBER_PUT" && detail.includes("read_only")) {
    return { message, suggestedFix: "PagerDuty does not add read-only users to teams: change the user's base role first, then retry." };
  }
  if (error.status === 404) return { message, suggestedFix: "The user or team no longer exists in PagerDuty. Run a sync, then cancel this change if it is no longer needed." };
  return { message, suggestedFix: "Check the values against PagerDuty, correct the cause if needed, then retry or cancel this change." };
}

/** Permanent: retrying the same request cannot succeed (PagerDuty: "retrying with the same arguments will not work"). */
export function isPermanent(error: PagerDutyError): boolean {
  if (error.kind !== "http") return false;
  return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}
