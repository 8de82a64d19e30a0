/**
 * The control API under /__sim/: NOT part of PagerDuty. Tests and the demo use it to read statistics and
 * entity counts, reseed, move simulated time, inject faults, toggle account abilities, change the rate limit,
 * and make out-of-band edits "as if an admin clicked in PagerDuty's web UI" (set a role, add or remove a member,
 * add an override), audited with a browser actor, so the portal's drift detection has something to find. No PagerDuty authentication: never expose it beyond
 * the machine.
 */
import { z } from "zod";
import { USER_ROLES, TEAM_ROLES, type UserRole } from "../core/model";
import { licenseGroupOf, roleAllowed, type OrgSize } from "../core/seed";
import type { SimState, WriteContext } from "../core/state";
import { accountOwnerId } from "../http/auth";
import { PdError, invalidInput, notFound } from "../http/errors";
import { faultConfigSchema } from "../http/faults";
import { defineRoutes, type SimRequest, type SimResponse } from "../http/route";
import type { SimRuntime } from "../http/server";
import { countOncallsNow } from "../core/oncalls-count";
import { createOverride } from "../core/overrides";

export interface SimControl {
  runtime: SimRuntime;
  /** Reseeds a fresh organisation and resets stats, faults, clock and rate limit (index.ts knows how). */
  reset(options: { seed?: number; size?: Partial<OrgSize> }): void;
}

const count = z.number().int().min(0).max(200_000);
const resetSchema = z.strictObject({
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  size: z.strictObject({ users: count.min(1), teams: count, schedules: count, escalationPolicies: count }).partial().optional(),
});
const clockSchema = z.strictObject({
  freeze: z.literal(true).optional(),
  unfreeze: z.literal(true).optional(),
  set: z.iso.datetime({ offset: true }).optional(),
  /** ISO 8601 duration ("PT1H", "P1D") or seconds. */
  advance: z.union([z.number().min(0), z.string()]).optional(),
});
const abilitiesSchema = z.union([
  z.strictObject({ abilities: z.array(z.string().min(1)) }),
  z.strictObject({ enable: z.array(z.string().min(1)).default([]), disable: z.array(z.string().min(1)).default([]) }),
]);
const rateLimitSchema = z.strictObject({ perMinute: z.number().int().min(0).max(1_000_000) });
const actor = { actorUserId: z.string().min(1).optional() };
const editSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("set_role"), userId: z.string().min(1), role: z.enum(USER_ROLES), ...actor }),
  z.strictObject({ kind: z.literal("add_member"), teamId: z.string().min(1), userId: z.string().min(1), role: z.enum(TEAM_ROLES).default("responder"), ...actor }),
  z.strictObject({ kind: z.literal("remove_member"), teamId: z.string().min(1), userId: z.string().min(1), ...actor }),
  z.strictObject({
    kind: z.literal("add_override"),
    scheduleId: z.string().min(1),
    userId: z.string().min(1),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    ...actor,
  }),
]);
type Edit = z.output<typeof editSchema>;

export function controlRoutes(control: SimControl) {
  const { runtime } = control;
  const ok = (body: unknown, status = 200): SimResponse => ({ status, body });

  return defineRoutes([
    { method: "GET", path: "/__sim/stats", handler: () => ok(runtime.stats.snapshot()) },
    {
      method: "POST",
      path: "/__sim/stats/reset",
      handler: () => {
        runtime.stats.reset();
        return ok(runtime.stats.snapshot());
      },
    },
    { method: "GET", path: "/__sim/state", handler: () => ok(stateCounts(runtime.state)) },
    {
      method: "POST",
      path: "/__sim/reset",
      handler: (req) => {
        control.reset(parse(resetSchema, req.body ?? {}));
        return ok(stateCounts(runtime.state));
      },
    },
    { method: "GET", path: "/__sim/clock", handler: () => ok(clockView(runtime)) },
    {
      method: "POST",
      path: "/__sim/clock",
      handler: (req) => {
        const body = parse(clockSchema, req.body ?? {});
        const { clock } = runtime;
        if (body.freeze && body.unfreeze) throw invalidInput("freeze and unfreeze cannot be asked together.");
        // Freeze first: "set and freeze" stops time at exactly the instant asked for, not a millisecond later.
        if (body.freeze) clock.freeze();
        if (body.set) clock.set(Date.parse(body.set));
        if (body.advance !== undefined) clock.advance(typeof body.advance === "number" ? body.advance * 1000 : durationMs(body.advance));
        if (body.unfreeze) clock.unfreeze();
        runtime.state.touch();
        return ok(clockView(runtime));
      },
    },
    { method: "GET", path: "/__sim/faults", handler: () => ok(runtime.faults.describe()) },
    {
      method: "POST",
      path: "/__sim/faults",
      handler: (req) => {
        runtime.faults.configure(parse(faultConfigSchema, req.body ?? {}));
        return ok(runtime.faults.describe());
      },
    },
    {
      method: "POST",
      path: "/__sim/abilities",
      handler: (req) => {
        const body = parse(abilitiesSchema, req.body ?? {});
        const abilities = runtime.state.data.abilities;
        if ("abilities" in body) {
          abilities.clear();
          for (const a of body.abilities) abilities.add(a);
        } else {
          for (const a of body.enable) abilities.add(a);
          for (const a of body.disable) abilities.delete(a);
        }
        runtime.state.touch();
        return ok({ abilities: [...abilities].sort() });
      },
    },
    { method: "GET", path: "/__sim/rate-limit", handler: () => ok({ perMinute: runtime.limiter.perMinute }) },
    {
      method: "POST",
      path: "/__sim/rate-limit",
      handler: (req) => {
        runtime.limiter.setPerMinute(parse(rateLimitSchema, req.body ?? {}).perMinute);
        return ok({ perMinute: runtime.limiter.perMinute });
      },
    },
    { method: "POST", path: "/__sim/edits", handler: (req) => ok({ audit_records: applyEdit(runtime.state, req, parse(editSchema, req.body ?? {})) }, 201) },
  ]);
}

/** Entity counts; oncallsNow counts (policy, level, user) on-calls at the sim clock's now. */
export function stateCounts(state: SimState) {
  return {
    users: state.data.users.size,
    teams: state.data.teams.size,
    memberships: state.data.memberships.size,
    schedules: state.data.schedules.size,
    escalationPolicies: state.data.escalationPolicies.size,
    oncallsNow: countOncallsNow(state),
    incidents: state.data.incidents.size,
    auditRecords: state.data.auditRecords.length,
    abilities: [...state.data.abilities].sort(),
    ownerId: accountOwnerId(state) ?? null,
    now: state.clock.iso(),
  };
}

/** An edit as a PagerDuty admin would make it in the web UI; answers the audit records it wrote. */
function applyEdit(state: SimState, req: SimRequest, edit: Edit) {
  const actorId = edit.actorUserId ?? accountOwnerId(state);
  if (!actorId || !state.data.users.has(actorId)) throw notFound(`Actor user ${actorId ?? "(no owner)"} not found`);
  const ctx: WriteContext = { principal: { kind: "browser", userId: actorId }, requestId: req.requestId, remoteAddress: req.remoteAddress };
  const before = state.data.auditRecords.length;
  switch (edit.kind) {
    case "set_role":
      setRole(state, ctx, edit.userId, edit.role);
      break;
    case "add_member":
      mustExist(state, edit.teamId, edit.userId);
      state.putMember(ctx, edit.teamId, edit.userId, edit.role);
      break;
    case "remove_member":
      mustExist(state, edit.teamId, edit.userId);
      if (!state.removeMember(ctx, edit.teamId, edit.userId)) throw notFound(`User ${edit.userId} is not a member of team ${edit.teamId}`);
      break;
    case "add_override":
      if (!state.data.users.has(edit.userId)) throw notFound(`User ${edit.userId} not found`);
      createOverride(state, ctx, edit.scheduleId, { start: edit.start, end: edit.end, userId: edit.userId });
      break;
  }
  return state.data.auditRecords.slice(before);
}

/** The web UI moves the user to a license that allows the new role, as PagerDuty's role dialog does. */
function setRole(state: SimState, ctx: WriteContext, userId: string, role: UserRole): void {
  const user = state.data.users.get(userId);
  if (!user) throw notFound(`User ${userId} not found`);
  if (role === "owner") throw invalidInput("Transferring account ownership is not simulated.");
  if (user.role === "owner") throw invalidInput("The account owner's role cannot be changed.");
  if (!roleAllowed(state.data.abilities, role)) throw invalidInput(`The account's abilities do not allow the ${role} role.`);
  const current = user.licenseId ? state.data.licenses.get(user.licenseId) : undefined;
  let licenseId = user.licenseId;
  if (current && !current.valid_roles.includes(role)) {
    const fitting = [...state.data.licenses.values()].find((l) => l.role_group === licenseGroupOf(role) && l.valid_roles.includes(role));
    if (!fitting) throw invalidInput(`No license allows the ${role} role.`);
    licenseId = fitting.id;
  }
  state.updateUser(ctx, userId, { role, licenseId, licenseAllocatedAt: licenseId === user.licenseId ? user.licenseAllocatedAt : state.clock.iso() });
}

function mustExist(state: SimState, teamId: string, userId: string): void {
  if (!state.data.teams.has(teamId)) throw notFound(`Team ${teamId} not found`);
  if (!state.data.users.has(userId)) throw notFound(`User ${userId} not found`);
}

function clockView(runtime: SimRuntime) {
  return { now: runtime.clock.iso(), frozen: runtime.clock.frozen };
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new PdError(
    400,
    2001,
    "Invalid Input Provided",
    result.error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "body"}: ${issue.message}`),
  );
}

/** ISO 8601 durations as PagerDuty and tests write them: PnW, PnDTnHnMnS. */
export function durationMs(text: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === "P" || text.endsWith("T")) throw invalidInput(`advance must be seconds or an ISO 8601 duration such as PT1H, got "${text}".`);
  const [, w, d, h, min, s] = m.map((v) => Number(v ?? 0));
  return ((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (min ?? 0)) * 60_000 + (s ?? 0) * 1000;
}
