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

/** The nav entry a path belongs to: exact for "/", by prefix otherwise. */
export function isActive(href: string, pathname: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}
