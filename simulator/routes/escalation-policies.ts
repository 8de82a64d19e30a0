/**
 * /escalation_policies: list (`query`, `team_ids[]`, `user_ids[]`, `include[]`, `sort_by`) and get — NOTES §2.6.
 * Read-only here: the portal never writes escalation policies, so the simulator seeds them and serves them.
 */
import type { SimEscalationPolicy } from "../core/model";
import { invalidInput, notFound } from "../http/errors";
import { classicBody } from "../http/pagination";
import { defineRoutes, type SimContext, type SimRequest, type SimResponse } from "../http/route";
import { htmlUrl, reference, selfUrl, teamReference } from "../http/serialize";
import { includes, requireAbility } from "./params";
import { teamJson } from "./teams";
import { userJson } from "./users";

const SORTS = new Set(["name", "name:asc", "name:desc"]);

/** A rule target: a reference, or with `include[]=targets` the full user (schedules stay references, as PagerDuty does). */
function targetJson(ctx: SimContext, target: SimEscalationPolicy["rules"][number]["targets"][number], full: boolean) {
  if (target.type === "user_reference") {
    const user = ctx.state.data.users.get(target.id);
    if (full && user) return userJson(ctx, user);
    return reference(ctx, "user", target.id, user?.name ?? target.id);
  }
  return reference(ctx, "schedule", target.id, ctx.state.data.schedules.get(target.id)?.name ?? target.id);
}

export function escalationPolicyJson(ctx: SimContext, policy: SimEscalationPolicy, include: ReadonlySet<string> = new Set()) {
  const team = policy.teamId ? ctx.state.data.teams.get(policy.teamId) : undefined;
  return {
    id: policy.id,
    type: "escalation_policy",
    summary: policy.name,
    self: selfUrl(ctx, "escalation_policies", policy.id),
    html_url: htmlUrl(ctx, "escalation_policies", policy.id),
    name: policy.name,
    // The schema's description is a non-nullable string: left out when unset.
    ...(policy.description !== null ? { description: policy.description } : {}),
    num_loops: policy.num_loops,
    on_call_handoff_notifications: policy.on_call_handoff_notifications,
    escalation_rules: policy.rules.map((rule) => ({
      id: rule.id,
      escalation_delay_in_minutes: rule.escalation_delay_in_minutes,
      targets: rule.targets.map((t) => targetJson(ctx, t, include.has("targets"))),
      escalation_rule_assignment_strategy: "assign_to_everyone",
    })),
    // The simulator models no services; PagerDuty answers an empty list for a policy without any.
    services: [],
    teams: team ? [include.has("teams") ? teamJson(ctx, team) : teamReference(ctx, team.id)] : [],
  };
}

function targetsUser(policy: SimEscalationPolicy, userIds: ReadonlySet<string>): boolean {
  return policy.rules.some((r) => r.targets.some((t) => t.type === "user_reference" && userIds.has(t.id)));
}

function listPolicies(req: SimRequest, ctx: SimContext): SimResponse {
  const sort = req.query.get("sort_by") ?? "name";
  if (!SORTS.has(sort)) throw invalidInput("sort_by must be one of name, name:asc, name:desc");
  let policies = [...ctx.state.data.escalationPolicies.values()];
  const q = req.query.get("query")?.trim().toLowerCase();
  if (q) policies = policies.filter((p) => p.name.toLowerCase().includes(q));
  const teamIds = req.query.getAll("team_ids[]");
  if (teamIds.length) {
    requireAbility(ctx, "teams");
    policies = policies.filter((p) => p.teamId !== null && teamIds.includes(p.teamId));
  }
  const userIds = new Set(req.query.getAll("user_ids[]"));
  if (userIds.size) policies = policies.filter((p) => targetsUser(p, userIds));
  policies.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  if (sort === "name:desc") policies.reverse();
  const include = includes(req);
  return { status: 200, body: classicBody("escalation_policies", req.query, policies, (p) => escalationPolicyJson(ctx, p, include)) };
}

function getPolicy(req: SimRequest, ctx: SimContext): SimResponse {
  const policy = ctx.state.data.escalationPolicies.get(req.params.id ?? "");
  if (!policy) throw notFound("Escalation Policy Not Found");
  return { status: 200, body: { escalation_policy: escalationPolicyJson(ctx, policy, includes(req)) } };
}

export const routes = defineRoutes([
  { method: "GET", path: "/escalation_policies", scope: "escalation_policies.read", handler: listPolicies },
  { method: "GET", path: "/escalation_policies/{id}", scope: "escalation_policies.read", handler: getPolicy },
]);
