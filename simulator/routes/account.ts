/**
 * Account-level endpoints: abilities, licenses, license allocations and signing a user out (NOTES §2.7, §2.9).
 */
import type { SimLicense, SimUser } from "../core/model";
import { abilityMissing, invalidInput } from "../http/errors";
import { classicBody } from "../http/pagination";
import { defineRoutes, type SimContext, type SimRequest } from "../http/route";
import { userReference } from "../http/serialize";
import { licenseJson } from "./users";

/**
 * The spec's `current_value` is "how many of these Licenses are currently allocated", so it is counted; the
 * model's `current_value` holds the seats purchased, from which `allocations_available` follows.
 */
function licensesWithCounts(ctx: SimContext) {
  const allocated = new Map<string, number>();
  for (const u of ctx.state.data.users.values()) if (u.licenseId) allocated.set(u.licenseId, (allocated.get(u.licenseId) ?? 0) + 1);
  return [...ctx.state.data.licenses.values()].map((l: SimLicense) => {
    const used = allocated.get(l.id) ?? 0;
    return { ...licenseJson(ctx, l), current_value: used, allocations_available: Math.max(0, l.current_value - used) };
  });
}

function licenseAllocations(req: SimRequest, ctx: SimContext) {
  const holders = ctx.state.usersOrdered().filter((u) => u.licenseId && ctx.state.data.licenses.has(u.licenseId));
  return {
    status: 200,
    body: classicBody("license_allocations", req.query, holders, (u: SimUser) => ({
      user: userReference(ctx, u.id),
      license: licenseJson(ctx, ctx.state.data.licenses.get(u.licenseId ?? "") as SimLicense),
      allocated_at: u.licenseAllocatedAt ?? u.createdAt,
    })),
  };
}

const DELEGATION_TYPES = ["web", "mobile"] as const;

/** Signs the user out of the web and/or mobile app. The spec declares no 404, so an unknown user is a 400. */
function deleteDelegations(req: SimRequest, ctx: SimContext) {
  const userId = req.query.get("user_id");
  if (!userId) throw invalidInput("user_id is required");
  const raw = req.query.get("type");
  if (!raw) throw invalidInput("type is required: web, mobile or web,mobile");
  const types = raw.split(",").map((t) => t.trim());
  if (!types.every((t): t is "web" | "mobile" => (DELEGATION_TYPES as readonly string[]).includes(t))) throw invalidInput("type must be web, mobile or web,mobile");
  if (!ctx.state.data.users.has(userId)) throw invalidInput("user_id is not a user of this account");
  ctx.state.signOut(userId, [...new Set(types)]);
  return { status: 200, body: { status: "ok" } };
}

export const routes = defineRoutes([
  { method: "GET", path: "/abilities", scope: "abilities.read", handler: (_req, ctx) => ({ status: 200, body: { abilities: [...ctx.state.data.abilities] } }) },
  {
    method: "GET",
    path: "/abilities/{id}",
    scope: "abilities.read",
    handler: (req, ctx) => {
      const ability = req.params.id ?? "";
      if (!ctx.state.data.abilities.has(ability)) throw abilityMissing(ability);
      return { status: 204 };
    },
  },
  { method: "GET", path: "/licenses", scope: "licenses.read", handler: (_req, ctx) => ({ status: 200, body: { licenses: licensesWithCounts(ctx) } }) },
  { method: "GET", path: "/license_allocations", scope: "licenses.read", handler: licenseAllocations },
  { method: "DELETE", path: "/oauth_delegations", scope: "oauth_delegations.write", handler: deleteDelegations },
]);
