/**
 * /users: list, get, create, update, delete, /users/me and /users/{id}/license (NOTES §2.1).
 * Role changes follow the account's abilities (402) and the user's license (400); deletion is refused while
 * the user has unresolved assigned incidents, as on plans without the `offboarding` feature.
 */
import { createHash } from "node:crypto";
import type { SimLicense, SimUser, UserRole } from "../core/model";
import { USER_ROLES } from "../core/model";
import { COLORS } from "../core/names";
import { licenseGroupOf, roleAllowed } from "../core/seed";
import { keyReferenceId } from "../core/state";
import { PdError, abilityMissing, invalidInput, notFound } from "../http/errors";
import { classicJson } from "../http/pagination";
import { defineRoutes, type SimContext, type SimRequest } from "../http/route";
import { htmlUrl, selfUrl, teamReference } from "../http/serialize";
import { isValidTimeZone } from "../schedule/tz";
import { checkType, optionalString, requireAbility, requiredString, wrappedBody, writeContext } from "./params";

const DEFAULT_TIME_ZONE = "Etc/UTC";

/**
 * Serialised users, per user object (an update replaces the object) and state version (team references follow
 * memberships): list pages are served hundreds of times a second, and the hashes below dominate otherwise.
 * Callers only serialise the result, never change it.
 */
interface CachedUser {
  version: number;
  baseUrl: string;
  json: ReturnType<typeof buildUserJson>;
  bytes?: Buffer;
}
const userJsonCache = new WeakMap<SimUser, CachedUser>();

function cachedUser(ctx: SimContext, user: SimUser): CachedUser {
  const hit = userJsonCache.get(user);
  if (hit && hit.version === ctx.state.version && hit.baseUrl === ctx.baseUrl) return hit;
  const entry: CachedUser = { version: ctx.state.version, baseUrl: ctx.baseUrl, json: buildUserJson(ctx, user) };
  userJsonCache.set(user, entry);
  return entry;
}

/** The User object as PagerDuty serialises it (spec schema User). `teams` is always sent, as PagerDuty does. */
export function userJson(ctx: SimContext, user: SimUser) {
  return cachedUser(ctx, user).json;
}

/** userJson as UTF-8 JSON (the users list is built from these). */
function userBytes(ctx: SimContext, user: SimUser): Buffer {
  const entry = cachedUser(ctx, user);
  entry.bytes ??= Buffer.from(JSON.stringify(entry.json));
  return entry.bytes;
}

function buildUserJson(ctx: SimContext, user: SimUser) {
  const self = selfUrl(ctx, "users", user.id);
  return {
    id: user.id,
    type: "user",
    summary: user.name,
    self,
    html_url: htmlUrl(ctx, "users", user.id),
    name: user.name,
    email: user.email,
    time_zone: user.time_zone,
    color: user.color,
    role: user.role,
    avatar_url: `https://secure.gravatar.com/avatar/${createHash("md5").update(user.email).digest("hex")}.png?d=mm&r=PG`,
    description: user.description,
    invitation_sent: user.invitation_sent,
    created_via_sso: user.created_via_sso,
    // The schema's job_title is a non-nullable string: left out when unset.
    ...(user.job_title !== null ? { job_title: user.job_title } : {}),
    teams: ctx.state.teamsOfUser(user.id).map((m) => teamReference(ctx, m.teamId)),
    // Every PagerDuty user has a default email contact method and notification rule.
    contact_methods: [{ id: keyReferenceId(`${user.id}:contact`), type: "email_contact_method_reference", summary: "Default", self: `${self}/contact_methods/${keyReferenceId(`${user.id}:contact`)}`, html_url: null }],
    notification_rules: [{ id: keyReferenceId(`${user.id}:rule`), type: "assignment_notification_rule_reference", summary: "0 minutes: channel Default", self: `${self}/notification_rules/${keyReferenceId(`${user.id}:rule`)}`, html_url: null }],
  };
}

/** A license as `GET /users/{id}/license` and `/license_allocations` send it (no counts). */
export function licenseJson(ctx: SimContext, license: SimLicense) {
  return {
    id: license.id,
    type: "license",
    summary: license.name,
    self: selfUrl(ctx, "licenses", license.id),
    name: license.name,
    description: license.description,
    valid_roles: license.valid_roles,
    role_group: license.role_group,
  };
}

function mustUser(ctx: SimContext, id: string | undefined): SimUser {
  const user = ctx.state.data.users.get(id ?? "");
  if (!user) throw notFound("User Not Found");
  return user;
}

function listUsers(req: SimRequest, ctx: SimContext) {
  let users: readonly SimUser[] = ctx.state.usersOrdered();
  const teamIds = req.query.getAll("team_ids[]");
  if (teamIds.length) {
    requireAbility(ctx, "teams");
    users = users.filter((u) => teamIds.some((t) => ctx.state.membership(t, u.id)));
  }
  // PagerDuty's `query` matches names and email addresses, case-insensitively (Teleport relies on the email match).
  const q = req.query.get("query")?.trim().toLowerCase();
  if (q) users = users.filter((u) => u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q));
  return { status: 200, json: classicJson("users", req.query, users, (u) => userBytes(ctx, u)) };
}

function validRole(value: unknown): UserRole {
  if (typeof value !== "string" || !(USER_ROLES as readonly string[]).includes(value)) throw invalidInput(`role must be one of ${USER_ROLES.join(", ")}`);
  return value as UserRole;
}

/** 402 when the plan lacks the ability a role needs (spec User.role). */
function checkRoleAbility(ctx: SimContext, role: UserRole): void {
  if (roleAllowed(ctx.state.data.abilities, role)) return;
  throw abilityMissing(role.startsWith("read_only") ? "read_only_users" : "advanced_permissions");
}

function emailTaken(ctx: SimContext, email: string, exceptId?: string): boolean {
  const lower = email.toLowerCase();
  for (const u of ctx.state.data.users.values()) if (u.id !== exceptId && u.email.toLowerCase() === lower) return true;
  return false;
}

function validEmail(ctx: SimContext, input: Record<string, unknown>, exceptId?: string): string | undefined {
  const email = exceptId ? optionalString(input, "email", 100) : requiredString(input, "email", 100);
  if (email === undefined) return undefined;
  if (email.length < 6 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalidInput("Email is invalid");
  if (emailTaken(ctx, email, exceptId)) throw invalidInput("Email has already been taken");
  return email;
}

function validTimeZone(input: Record<string, unknown>): string | undefined {
  const tz = optionalString(input, "time_zone", 100);
  if (tz !== undefined && !isValidTimeZone(tz)) throw invalidInput("Time zone is not a valid time zone");
  return tz;
}

/** The license named in the body (must exist), or undefined. */
function requestedLicense(ctx: SimContext, input: Record<string, unknown>): SimLicense | undefined {
  const ref = input.license;
  if (ref === undefined || ref === null) return undefined;
  const id = typeof ref === "object" && !Array.isArray(ref) ? (ref as { id?: unknown }).id : undefined;
  const license = typeof id === "string" ? ctx.state.data.licenses.get(id) : undefined;
  if (!license) throw invalidInput("License not found: send license {id, type: \"license_reference\"} of a license in GET /licenses");
  return license;
}

function licenseForRole(ctx: SimContext, role: UserRole): SimLicense | undefined {
  const group = licenseGroupOf(role);
  return [...ctx.state.data.licenses.values()].find((l) => l.role_group === group && l.valid_roles.includes(role));
}

function checkLicenseFits(license: SimLicense, role: UserRole): void {
  if (!license.valid_roles.includes(role)) {
    throw invalidInput(`Role ${role} is not valid for the license "${license.name}" (valid roles: ${license.valid_roles.join(", ")}); send a license whose valid_roles include ${role}`);
  }
}

function createUser(req: SimRequest, ctx: SimContext) {
  // Spec: From is required on POST /users (the email of a user of the account making the request).
  const from = req.headers.from?.trim();
  if (!from) throw invalidInput("The From header is required: the email address of a valid user associated with the account");
  if (!emailTaken(ctx, from)) throw invalidInput("The From header must be the email address of a valid user associated with the account");
  const input = wrappedBody(req.body, "user");
  checkType(input, "user");
  const name = requiredString(input, "name", 100);
  const email = validEmail(ctx, input) as string;
  const role = input.role === undefined ? "user" : validRole(input.role);
  if (role === "owner") throw invalidInput("The owner role cannot be assigned through the API");
  checkRoleAbility(ctx, role);
  const license = requestedLicense(ctx, input) ?? licenseForRole(ctx, role);
  if (license) checkLicenseFits(license, role);
  const now = ctx.clock.iso();
  const user = ctx.state.createUser(writeContext(req), {
    name,
    email,
    time_zone: validTimeZone(input) ?? DEFAULT_TIME_ZONE,
    color: optionalString(input, "color", 50) ?? colorFor(email),
    role,
    job_title: optionalString(input, "job_title", 100) ?? null,
    description: optionalString(input, "description", 1024) ?? null,
    // A new user is invited by email and has not accepted yet.
    invitation_sent: true,
    created_via_sso: false,
    licenseId: license?.id ?? null,
    licenseAllocatedAt: license ? now : null,
  });
  return { status: 201, body: { user: userJson(ctx, user) } };
}

function colorFor(email: string): string {
  const digest = createHash("sha256").update(email).digest();
  return COLORS[(digest[0] ?? 0) % COLORS.length] as string;
}

function updateUser(req: SimRequest, ctx: SimContext) {
  const user = mustUser(ctx, req.params.id);
  const input = wrappedBody(req.body, "user");
  checkType(input, "user");
  const name = optionalString(input, "name", 100);
  if (name !== undefined && name.trim() === "") throw invalidInput("name can't be blank");
  const role = input.role === undefined ? user.role : validRole(input.role);
  if (role !== user.role) {
    // Ownership moves only in the web app (NOTES §2.1 marks setting owner over the API unverified; refused here).
    if (role === "owner") throw invalidInput("The owner role cannot be assigned through the API");
    if (user.role === "owner") throw invalidInput("The account owner's role cannot be changed through the API");
    checkRoleAbility(ctx, role);
  }
  const requested = requestedLicense(ctx, input);
  const current = user.licenseId ? ctx.state.data.licenses.get(user.licenseId) : undefined;
  const license = requested ?? current;
  if (license) checkLicenseFits(license, role);
  const licenseChanged = license !== undefined && license.id !== user.licenseId;
  const updated = ctx.state.updateUser(writeContext(req), user.id, {
    name,
    email: validEmail(ctx, input, user.id),
    time_zone: validTimeZone(input),
    color: optionalString(input, "color", 50),
    role,
    job_title: optionalString(input, "job_title", 100),
    description: optionalString(input, "description", 1024),
    ...(licenseChanged ? { licenseId: license.id, licenseAllocatedAt: ctx.clock.iso() } : {}),
  });
  return { status: 200, body: { user: userJson(ctx, updated) } };
}

function deleteUser(req: SimRequest, ctx: SimContext) {
  const user = mustUser(ctx, req.params.id);
  if (user.role === "owner") throw invalidInput("The account owner cannot be deleted");
  const open = ctx.state.openIncidentsOf(user.id);
  // Spec deleteUser: "Returns 400 if the user has assigned incidents unless your pricing plan has the
  // `offboarding` feature". The spec's response list omits 400; the described behaviour wins.
  if (open > 0 && !ctx.state.data.abilities.has("offboarding")) {
    throw invalidInput(`User cannot be deleted as they have ${open} unresolved incident${open === 1 ? "" : "s"} assigned; resolve or reassign them first`);
  }
  for (const incident of ctx.state.data.incidents.values()) incident.assigneeIds = incident.assigneeIds.filter((id) => id !== user.id);
  ctx.state.deleteUser(writeContext(req), user.id);
  return { status: 204 };
}

function currentUser(req: SimRequest, ctx: SimContext) {
  if (req.principal.kind !== "user_key") {
    throw new PdError(400, 2001, "Because this request was made using an account-level access token, we were unable to correlate a user with this request.");
  }
  return { status: 200, body: { user: userJson(ctx, mustUser(ctx, req.principal.userId)) } };
}

function userLicense(req: SimRequest, ctx: SimContext) {
  const user = mustUser(ctx, req.params.id);
  const license = user.licenseId ? ctx.state.data.licenses.get(user.licenseId) : undefined;
  if (!license) throw notFound("License Not Found");
  return { status: 200, body: { license: licenseJson(ctx, license) } };
}

export const routes = defineRoutes([
  { method: "GET", path: "/users", scope: "users.read", handler: listUsers },
  // Before /users/{id} so a router that tries routes in order matches the literal first.
  { method: "GET", path: "/users/me", handler: currentUser },
  // include[] is accepted; teams, contact methods and rules are always sent as references.
  { method: "GET", path: "/users/{id}", scope: "users.read", handler: (req, ctx) => ({ status: 200, body: { user: userJson(ctx, mustUser(ctx, req.params.id)) } }) },
  { method: "POST", path: "/users", scope: "users.write", handler: createUser },
  { method: "PUT", path: "/users/{id}", scope: "users.write", handler: updateUser },
  { method: "DELETE", path: "/users/{id}", scope: "users.write", handler: deleteUser },
  { method: "GET", path: "/users/{id}/license", scope: "licenses.read", handler: userLicense },
]);
