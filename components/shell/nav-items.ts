import type { Permission } from "@/lib/auth/access";

export interface NavItem {
  href: string;
  label: string;
  /** Shown to people who may read what the page shows; the page itself authorizes again. */
  permission: Permission;
  group: "main" | "pagerduty" | "admin";
}

export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/", label: "Dashboard", permission: "portal.view", group: "main" },
  { href: "/access", label: "My access", permission: "portal.view", group: "main" },
  { href: "/requests", label: "Requests", permission: "portal.view", group: "main" },
  // Approvers: anyone who may be assigned a request under some policy (auditors never approve).
  { href: "/requests/approvals", label: "Approvals", permission: "access.approve", group: "main" },
  { href: "/reviews", label: "Reviews", permission: "portal.view", group: "main" },
  { href: "/audit", label: "Audit", permission: "audit.read", group: "main" },
  { href: "/pagerduty/users", label: "Users", permission: "pagerduty.read", group: "pagerduty" },
  { href: "/pagerduty/teams", label: "Teams", permission: "pagerduty.read", group: "pagerduty" },
  { href: "/pagerduty/schedules", label: "Schedules", permission: "pagerduty.read", group: "pagerduty" },
  { href: "/pagerduty/policies", label: "Escalation policies", permission: "pagerduty.read", group: "pagerduty" },
  { href: "/pagerduty/drift", label: "Drift", permission: "pagerduty.read", group: "pagerduty" },
  { href: "/pagerduty/matching", label: "People matching", permission: "pagerduty.read", group: "pagerduty" },
  { href: "/admin/connections", label: "Connections", permission: "connection.read", group: "admin" },
  { href: "/admin/campaigns", label: "Review campaigns", permission: "evidence.read", group: "admin" },
  { href: "/admin/changes", label: "Change queue", permission: "change.read", group: "admin" },
  { href: "/admin/people", label: "People", permission: "person.read", group: "admin" },
  { href: "/admin/policies", label: "Policies", permission: "policy.read", group: "admin" },
];

const matches = (href: string, pathname: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));

/**
 * The nav entry a path belongs to: exact for "/", by prefix otherwise, and the most specific entry wins
 * ("/requests/approvals" is Approvals, not Requests).
 */
export function isActive(href: string, pathname: string, items: readonly { href: string }[] = NAV_ITEMS): boolean {
  return matches(href, pathname) && !items.some((i) => i.href.length > href.length && i.href.startsWith(`${href}/`) && matches(i.href, pathname));
}
