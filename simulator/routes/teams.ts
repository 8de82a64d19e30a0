/**
 * /teams and team membership (NOTES §2.2–2.3). Every team route needs the account's `teams` ability (402).
 * Membership writes are audited by SimState as PagerDuty does: a `members` reference added/removed and a
 * `members.role` field.
 */
import type { SimTeam, TeamRole } from "../core/model";
import { TEAM_ROLES } from "../core/model";
import { PdError, invalidInput, notFound } from "../http/errors";
import { classicBody } from "../http/pagination";
import { defineRoutes, type SimContext, type SimRequest } from "../http/route";
import { htmlUrl, selfUrl, userReference } from "../http/serialize";
import { checkType, includes, isObject, optionalString, requireAbility, requiredString, wrappedBody, writeContext } from "./params";
import { userJson } from "./users";

export function teamJson(ctx: SimContext, team: SimTeam) {
  return {
    id: team.id,
    type: "team",
    summary: team.name,
    self: selfUrl(ctx, "teams", team.id),
    html_url: htmlUrl(ctx, "teams", team.id),
    name: team.name,
    // The schema's description is a non-nullable string: left out when unset.
    ...(team.description !== null ? { description: team.description } : {}),
    default_role: team.default_role,
  };
}

function mustTeam(ctx: SimContext, id: string | undefined): SimTeam {
  requireAbility(ctx, "teams");
  const team = ctx.state.data.teams.get(id ?? "");
  if (!team) throw notFound("Team Not Found");
  return team;
}

function listTeams(req: SimRequest, ctx: SimContext) {
  requireAbility(ctx, "teams");
  let teams: readonly SimTeam[] = ctx.state.teamsOrdered();
  const q = req.query.get("query")?.trim().toLowerCase();
  if (q) teams = teams.filter((t) => t.name.toLowerCase().includes(q));
  return { status: 200, body: classicBody("teams", req.query, teams, (t) => teamJson(ctx, t)) };
}

function nameTaken(ctx: SimContext, name: string, exceptId?: string): boolean {
  const lower = name.toLowerCase();
  for (const t of ctx.state.data.teams.values()) if (t.id !== exceptId && t.name.toLowerCase() === lower) return true;
  return false;
}

/** The writable team fields of a POST/PUT body; `name` is required on create. */
function teamFields(ctx: SimContext, body: unknown, existing?: SimTeam): Partial<Pick<SimTeam, "name" | "description" | "default_role">> {
  const input = wrappedBody(body, "team");
  checkType(input, "team");
  const name = existing ? optionalString(input, "name", 100) : requiredString(input, "name", 100);
  if (name !== undefined && name.trim() === "") throw invalidInput("Name can't be blank");
  if (name !== undefined && nameTaken(ctx, name, existing?.id)) throw invalidInput("Name has already been taken");
  const role = input.default_role;
  if (role !== undefined && role !== "manager" && role !== "none") throw invalidInput('default_role must be "manager" or "none"');
  return { name, description: optionalString(input, "description", 1024), default_role: role };
}

function createTeam(req: SimRequest, ctx: SimContext) {
  requireAbility(ctx, "teams");
  const fields = teamFields(ctx, req.body);
  const team = ctx.state.createTeam(writeContext(req), {
    name: fields.name as string,
    description: fields.description ?? null,
    default_role: fields.default_role ?? "manager",
  });
  return { status: 201, body: { team: teamJson(ctx, team) } };
}

function updateTeam(req: SimRequest, ctx: SimContext) {
  const team = mustTeam(ctx, req.params.id);
  const updated = ctx.state.updateTeam(writeContext(req), team.id, teamFields(ctx, req.body, team));
  return { status: 200, body: { team: teamJson(ctx, updated) } };
}

/** Spec deleteTeam: "Succeeds only if the team has no associated Escalation Policies, Services, Schedules and Subteams." */
function deleteTeam(req: SimRequest, ctx: SimContext) {
  const team = mustTeam(ctx, req.params.id);
  const reassignTo = req.query.get("reassignment_team");
  if (reassignTo && !ctx.state.data.teams.has(reassignTo)) throw invalidInput("reassignment_team is not a team of this account");
  const policies = ctx.state.policiesOfTeam(team.id).map((p) => `escalation policy ${p.name} (${p.id})`);
  const schedules = [...ctx.state.data.schedules.values()].filter((s) => s.teamIds.includes(team.id)).map((s) => `schedule ${s.name} (${s.id})`);
  if (policies.length || schedules.length) {
    throw new PdError(400, 6006, "Team has existing associations", [`The team cannot be deleted while it has associated ${[...policies, ...schedules].join(", ")}`]);
  }
  ctx.state.deleteTeam(writeContext(req), team.id);
  return { status: 204 };
}

function listMembers(req: SimRequest, ctx: SimContext) {
  const team = mustTeam(ctx, req.params.id);
  const expand = includes(req).has("users");
  const users = ctx.state.data.users;
  const members = ctx.state
    .membersOfTeam(team.id)
    .sort((a, b) => (users.get(a.userId)?.name ?? "").localeCompare(users.get(b.userId)?.name ?? "") || a.userId.localeCompare(b.userId));
  return {
    status: 200,
    body: classicBody("members", req.query, members, (m) => {
      const user = users.get(m.userId);
      // include[]=users expands the reference into the full user, as PagerDuty does (the spec only shows the reference).
      return { user: expand && user ? userJson(ctx, user) : userReference(ctx, m.userId), role: m.role };
    }),
  };
}

function putMember(req: SimRequest, ctx: SimContext) {
  const team = mustTeam(ctx, req.params.id);
  const user = ctx.state.data.users.get(req.params.user_id ?? "");
  if (!user) throw notFound("User Not Found");
  if (req.body !== undefined && !isObject(req.body)) throw invalidInput('The body must be a JSON object, e.g. {"role": "responder"}');
  const raw = isObject(req.body) ? req.body.role : undefined;
  if (raw !== undefined && !(TEAM_ROLES as readonly unknown[]).includes(raw)) throw invalidInput(`role must be one of ${TEAM_ROLES.join(", ")}`);
  if (user.role === "read_only_user" || user.role === "read_only_limited_user") {
    throw invalidInput("Stakeholder users (read_only_user, read_only_limited_user) cannot be given a team role");
  }
  // Role omitted: PagerDuty applies a default; "manager" follows the Terraform provider's default
  // (NOTES §2.3: the server-side default is unverified).
  const role = (raw as TeamRole | undefined) ?? "manager";
  ctx.state.putMember(writeContext(req), team.id, user.id, role);
  return { status: 204 };
}

/**
 * Removal is refused while one of the team's escalation policies targets the user directly (the case
 * Terraform's workaround looks for). Being on a schedule that a team policy targets does not block it here:
 * NOTES §2.3 does not establish that it does, and it would make most seeded members unremovable.
 * Removing someone who is not a member answers 404 (the membership is not found), so drift is visible.
 */
function removeMember(req: SimRequest, ctx: SimContext) {
  const team = mustTeam(ctx, req.params.id);
  const userId = req.params.user_id ?? "";
  if (!ctx.state.data.users.has(userId)) throw notFound("User Not Found");
  if (!ctx.state.membership(team.id, userId)) throw notFound("The user is not a member of this team");
  const blocking = ctx.state.policiesOfTeam(team.id).some((p) => p.rules.some((r) => r.targets.some((t) => t.type === "user_reference" && t.id === userId)));
  if (blocking) throw invalidInput("User cannot be removed as they belong to an escalation policy on this team");
  ctx.state.removeMember(writeContext(req), team.id, userId);
  return { status: 204 };
}

export const routes = defineRoutes([
  { method: "GET", path: "/teams", scope: "teams.read", handler: listTeams },
  { method: "GET", path: "/teams/{id}", scope: "teams.read", handler: (req, ctx) => ({ status: 200, body: { team: teamJson(ctx, mustTeam(ctx, req.params.id)) } }) },
  { method: "POST", path: "/teams", scope: "teams.write", handler: createTeam },
  { method: "PUT", path: "/teams/{id}", scope: "teams.write", handler: updateTeam },
  { method: "DELETE", path: "/teams/{id}", scope: "teams.write", handler: deleteTeam },
  { method: "GET", path: "/teams/{id}/members", scope: "teams.read", handler: listMembers },
  { method: "PUT", path: "/teams/{id}/users/{user_id}", scope: "teams.write", handler: putMember },
  { method: "DELETE", path: "/teams/{id}/users/{user_id}", scope: "teams.write", handler: removeMember },
]);
