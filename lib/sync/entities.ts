/**
 * The synced tables and how a PagerDuty object becomes a row of each. Pure mapping: no I/O.
 */
import type { PdEscalationPolicy, PdLicense, PdOncall, PdSchedule, PdTeam, PdTeamMember, PdUser } from "@/lib/pagerduty";
import type { Row, TableSpec } from "./bulk";

const text = (name: string) => ({ name, type: "text" as const });
const int = (name: string) => ({ name, type: "int" as const });
const C = text("connectionId");

export const TABLES = {
  users: {
    table: "PdUser",
    key: ["connectionId", "pdId"],
    columns: [C, text("pdId"), text("name"), text("email"), text("emailLower"), text("role"), text("jobTitle"), text("timeZone"), { name: "invitationPending", type: "bool" }, text("htmlUrl")],
  },
  teams: { table: "PdTeam", key: ["connectionId", "pdId"], columns: [C, text("pdId"), text("name"), text("description"), text("defaultRole"), text("htmlUrl")] },
  memberships: { table: "PdTeamMembership", key: ["connectionId", "teamPdId", "userPdId"], columns: [C, text("teamPdId"), text("userPdId"), text("role")] },
  schedules: {
    table: "PdSchedule",
    key: ["connectionId", "pdId"],
    columns: [C, text("pdId"), text("name"), text("description"), text("timeZone"), { name: "teamPdIds", type: "text[]" }, text("htmlUrl")],
  },
  layerMembers: {
    table: "PdScheduleLayerMember",
    key: ["connectionId", "schedulePdId", "layerId", "position"],
    columns: [C, text("schedulePdId"), text("layerId"), text("layerName"), int("position"), text("userPdId")],
  },
  policies: {
    table: "PdEscalationPolicy",
    key: ["connectionId", "pdId"],
    columns: [C, text("pdId"), text("name"), text("description"), int("numLoops"), text("teamPdId"), text("htmlUrl")],
  },
  policyTargets: {
    table: "PdEscalationTarget",
    key: ["connectionId", "policyPdId", "level", "targetType", "targetPdId"],
    columns: [C, text("policyPdId"), int("level"), { name: "targetType", type: "enum", enumType: "PdTargetType" }, text("targetPdId"), int("delayMinutes")],
  },
  licenses: {
    table: "PdLicense",
    key: ["connectionId", "pdId"],
    columns: [C, text("pdId"), text("name"), text("description"), text("roleGroup"), { name: "validRoles", type: "text[]" }, int("currentValue"), int("allocationsAvailable")],
  },
  oncalls: {
    table: "PdOncallShift",
    key: ["connectionId", "shiftKey"],
    columns: [C, text("shiftKey"), text("userPdId"), text("schedulePdId"), text("escalationPolicyPdId"), int("escalationLevel"), { name: "start", type: "timestamptz" }, { name: "end", type: "timestamptz" }],
  },
} satisfies Record<string, TableSpec>;

export type EntityName = keyof typeof TABLES;

export const userRow = (c: string, u: PdUser): Row => ({
  connectionId: c,
  pdId: u.id,
  name: u.name,
  email: u.email,
  emailLower: u.email.toLowerCase(),
  role: u.role,
  jobTitle: u.job_title ?? null,
  timeZone: u.time_zone ?? null,
  invitationPending: u.invitation_sent === true,
  htmlUrl: u.html_url ?? null,
});

export const teamRow = (c: string, t: PdTeam): Row => ({
  connectionId: c,
  pdId: t.id,
  name: t.name,
  description: t.description ?? null,
  defaultRole: t.default_role ?? null,
  htmlUrl: t.html_url ?? null,
});

export const membershipRow = (c: string, teamId: string, m: PdTeamMember): Row => ({ connectionId: c, teamPdId: teamId, userPdId: m.user.id, role: m.role });

export const scheduleRow = (c: string, s: PdSchedule): Row => ({
  connectionId: c,
  pdId: s.id,
  name: s.name,
  description: s.description ?? null,
  timeZone: s.time_zone ?? null,
  teamPdIds: s.teams.map((t) => t.id),
  htmlUrl: s.html_url ?? null,
});

export function layerMemberRows(c: string, s: PdSchedule): Row[] {
  return (s.schedule_layers ?? []).flatMap((layer, li) =>
    layer.users.map((u, position) => ({ connectionId: c, schedulePdId: s.id, layerId: layer.id ?? `layer-${li}`, layerName: layer.name ?? null, position, userPdId: u.user.id })),
  );
}

export const policyRow = (c: string, p: PdEscalationPolicy): Row => ({
  connectionId: c,
  pdId: p.id,
  name: p.name,
  description: p.description ?? null,
  numLoops: p.num_loops ?? null,
  teamPdId: p.teams[0]?.id ?? null,
  htmlUrl: p.html_url ?? null,
});

export function policyTargetRows(c: string, p: PdEscalationPolicy): Row[] {
  const rows = new Map<string, Row>();
  p.escalation_rules.forEach((rule, i) => {
    for (const t of rule.targets) {
      const targetType = t.type?.startsWith("schedule") ? "SCHEDULE" : "USER";
      rows.set(`${i}|${targetType}|${t.id}`, { connectionId: c, policyPdId: p.id, level: i + 1, targetType, targetPdId: t.id, delayMinutes: rule.escalation_delay_in_minutes ?? null });
    }
  });
  return [...rows.values()];
}

export const licenseRow = (c: string, l: PdLicense): Row => ({
  connectionId: c,
  pdId: l.id,
  name: l.name ?? null,
  description: l.description ?? null,
  roleGroup: l.role_group ?? null,
  validRoles: l.valid_roles,
  currentValue: l.current_value ?? null,
  allocationsAvailable: l.allocations_available ?? null,
});

/** An on-call has no id: its identity is the whole tuple (the client de-duplicates pages by the same key). */
export const shiftKey = (o: PdOncall): string => [o.escalation_policy.id, o.escalation_level, o.schedule?.id ?? "", o.user.id, o.start ?? "", o.end ?? ""].join("|");

export const oncallRow = (c: string, o: PdOncall): Row => ({
  connectionId: c,
  shiftKey: shiftKey(o),
  userPdId: o.user.id,
  schedulePdId: o.schedule?.id ?? null,
  escalationPolicyPdId: o.escalation_policy.id,
  escalationLevel: o.escalation_level,
  start: o.start ? new Date(o.start) : null,
  end: o.end ? new Date(o.end) : null,
});
