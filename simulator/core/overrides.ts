/**
 * Schedule overrides: create and delete, shared by POST/DELETE /schedules/{id}/overrides and the control API's
 * out-of-band edits. Both are audited with the schedule as root resource (NOTES §2.8: schedules are tracked).
 *
 * Rules (spec deleteScheduleOverride): a future override is deleted; one in progress is truncated to now (the
 * route answers 200 instead of 204); a past one cannot be removed. "Now" is the sim clock's, so tests can move it.
 */
import { PdError, invalidInput, notFound } from "../http/errors";
import type { SimOverride, SimReference, SimSchedule } from "./model";
import type { SimState, WriteContext } from "./state";

export interface OverrideInput {
  start: string;
  end: string;
  userId: string;
}

/** PagerDuty's 404 for an unknown schedule (code 3004 in its error table, NOTES §1.5). */
export function mustSchedule(state: SimState, scheduleId: string): SimSchedule {
  const schedule = state.data.schedules.get(scheduleId);
  if (!schedule) throw new PdError(404, 3004, "Schedule Not Found");
  return schedule;
}

function instant(value: string, field: string): number {
  // Date.parse accepts things like "5"; demand an ISO 8601 date-time as the spec's format says.
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) throw invalidInput(`${field} is not a valid ISO 8601 date-time`);
  return t;
}

export function scheduleRef(schedule: SimSchedule): SimReference {
  return { id: schedule.id, type: "schedule_reference", summary: schedule.name };
}

function overrideRef(state: SimState, o: SimOverride): SimReference {
  return { id: o.id, type: "override_reference", summary: `Override for ${state.data.users.get(o.userId)?.name ?? o.userId}` };
}

/** Adds an override; later overrides win where they overlap earlier ones (render.ts). Throws PdError on bad input. */
export function createOverride(state: SimState, ctx: WriteContext, scheduleId: string, o: OverrideInput): SimOverride {
  const schedule = mustSchedule(state, scheduleId);
  const start = instant(o.start, "start");
  const end = instant(o.end, "end");
  if (!(start < end)) throw invalidInput("Override must end after its start");
  if (!state.data.users.has(o.userId)) throw invalidInput(`User ${o.userId} not found`);

  // Stored in UTC; the routes render it in the schedule's (or the request's) zone.
  const created: SimOverride = { id: state.ids.next("Q"), start: new Date(start).toISOString(), end: new Date(end).toISOString(), userId: o.userId };
  schedule.overrides.push(created);
  state.audit(ctx, scheduleRef(schedule), "create", {
    resource: overrideRef(state, created),
    fields: [
      { name: "start", value: created.start },
      { name: "end", value: created.end },
      { name: "user", value: o.userId },
    ],
  });
  return created;
}

/** Deletes a future override or truncates one in progress to now; a past override → 400, unknown → 404. */
export function deleteOverride(state: SimState, ctx: WriteContext, scheduleId: string, overrideId: string): "deleted" | "truncated" {
  const schedule = mustSchedule(state, scheduleId);
  const index = schedule.overrides.findIndex((x) => x.id === overrideId);
  const existing = schedule.overrides[index];
  if (!existing) throw notFound("Override Not Found");

  const now = state.clock.now();
  const start = Date.parse(existing.start);
  const end = Date.parse(existing.end);
  if (end <= now) throw new PdError(400, 4004, "Invalid Override", ["You cannot remove a past override"]);

  if (start < now) {
    const truncated: SimOverride = { ...existing, end: new Date(now).toISOString() };
    schedule.overrides[index] = truncated;
    state.audit(ctx, scheduleRef(schedule), "update", {
      resource: overrideRef(state, existing),
      fields: [{ name: "end", value: truncated.end, before_value: existing.end }],
    });
    return "truncated";
  }

  schedule.overrides.splice(index, 1);
  state.audit(ctx, scheduleRef(schedule), "delete", {
    resource: overrideRef(state, existing),
    fields: [
      { name: "start", before_value: existing.start },
      { name: "end", before_value: existing.end },
      { name: "user", before_value: existing.userId },
    ],
  });
  return "deleted";
}
