/**
 * Small request helpers the route modules share: the audit context of a write, ability checks, `include[]`,
 * wrapped bodies (`{"user": {...}}`, NOTES §1.7) and field validation that answers PagerDuty-style 400s.
 */
import type { WriteContext } from "../core/state";
import { abilityMissing, invalidInput } from "../http/errors";
import type { SimContext, SimRequest } from "../http/route";

/** Who made a write and from where, for the audit records it appends. */
export function writeContext(req: SimRequest): WriteContext {
  return { principal: req.principal, requestId: req.requestId, remoteAddress: req.remoteAddress };
}

/** 402 code 2014 when the account's plan lacks the ability. */
export function requireAbility(ctx: SimContext, ability: string): void {
  if (!ctx.state.data.abilities.has(ability)) throw abilityMissing(ability);
}

export function includes(req: SimRequest): Set<string> {
  return new Set(req.query.getAll("include[]"));
}

/** `{[key]: {...}}` → the inner object, or 400 naming what is missing. */
export function wrappedBody(body: unknown, key: string): Record<string, unknown> {
  const inner = isObject(body) ? body[key] : undefined;
  if (!isObject(inner)) throw invalidInput(`${key} is required: send {"${key}": {...}}`);
  return inner;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An optional string field: undefined when absent, 400 when present but not a string or too long. */
export function optionalString(obj: Record<string, unknown>, field: string, maxLength: number): string | undefined {
  const value = obj[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidInput(`${field} must be a string`);
  if (value.length > maxLength) throw invalidInput(`${field} is too long (maximum is ${maxLength} characters)`);
  return value;
}

export function requiredString(obj: Record<string, unknown>, field: string, maxLength: number): string {
  const value = optionalString(obj, field, maxLength);
  if (value === undefined || value.trim() === "") throw invalidInput(`${field} can't be blank`);
  return value;
}

/** `type`, when sent, must name the object (the schemas require it; PagerDuty tolerates its absence). */
export function checkType(obj: Record<string, unknown>, type: string): void {
  if (obj.type !== undefined && obj.type !== type) throw invalidInput(`type must be "${type}"`);
}

/** Parses an ISO 8601 date-time query parameter; 400 when malformed. */
export function dateParam(req: SimRequest, name: string): number | undefined {
  const raw = req.query.get(name);
  if (raw === null || raw === "") return undefined;
  const t = Date.parse(raw);
  if (!Number.isFinite(t)) throw invalidInput(`${name} is not a valid ISO 8601 date-time`);
  return t;
}
