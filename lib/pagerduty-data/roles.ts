/** PagerDuty base roles (API values) with the names PagerDuty's web UI uses (NOTES §1), most privileged first. */
export const BASE_ROLES = [
  ["owner", "Account Owner"],
  ["admin", "Global Admin"],
  ["user", "Manager"],
  ["limited_user", "Responder"],
  ["observer", "Observer"],
  ["restricted_access", "Restricted Access"],
  ["read_only_user", "Stakeholder"],
  ["read_only_limited_user", "Limited Stakeholder"],
] as const;

export type BaseRole = (typeof BASE_ROLES)[number][0];
export const BASE_ROLE_VALUES = BASE_ROLES.map(([v]) => v) as [BaseRole, ...BaseRole[]];

const LABELS = new Map<string, string>(BASE_ROLES);

export function baseRoleLabel(role: string): string {
  return LABELS.get(role) ?? role;
}

export function teamRoleLabel(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}
