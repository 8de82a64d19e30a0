/**
 * References and links as PagerDuty writes them: `{id, type, summary, self, html_url}` where `self` is the
 * API URL and `html_url` the web app URL of the account's subdomain (NOTES §1.7).
 */
import type { SimContext } from "./route";

const COLLECTION: Record<string, string> = {
  user: "users",
  team: "teams",
  schedule: "schedules",
  escalation_policy: "escalation_policies",
  license: "licenses",
  incident: "incidents",
  override: "overrides",
};

/** `kind` is the object type without "_reference" ("user", "team", …). */
export function reference(ctx: SimContext, kind: string, id: string, summary: string): { id: string; type: string; summary: string; self: string; html_url: string } {
  const collection = COLLECTION[kind] ?? `${kind}s`;
  return { id, type: `${kind}_reference`, summary, self: `${ctx.baseUrl}/${collection}/${id}`, html_url: htmlUrl(ctx, collection, id) };
}

export function selfUrl(ctx: SimContext, collection: string, id: string): string {
  return `${ctx.baseUrl}/${collection}/${id}`;
}

export function htmlUrl(ctx: SimContext, collection: string, id: string): string {
  return `https://${ctx.state.data.subdomain}.pagerduty.com/${collection}/${id}`;
}

export const userReference = (ctx: SimContext, id: string) => reference(ctx, "user", id, ctx.state.data.users.get(id)?.name ?? id);
export const teamReference = (ctx: SimContext, id: string) => reference(ctx, "team", id, ctx.state.data.teams.get(id)?.name ?? id);
export const scheduleReference = (ctx: SimContext, id: string) => reference(ctx, "schedule", id, ctx.state.data.schedules.get(id)?.name ?? id);
export const policyReference = (ctx: SimContext, id: string) => reference(ctx, "escalation_policy", id, ctx.state.data.escalationPolicies.get(id)?.name ?? id);
