/**
 * On-calls as GET /oncalls derives them (NOTES §2.5): for each escalation policy, each level (rule index + 1) and
 * each target, a schedule target contributes the schedule's final-schedule shifts that overlap the range, whole
 * (PagerDuty reports the entire shift, not the part inside the range), and a user targeted directly is on call
 * permanently (`start`/`end` null).
 *
 * The sync pages through these lists at hundreds of requests per second, so a filtered list is computed once per
 * (filters, range, state.version) and kept in a small LRU: each page is then a slice.
 */
import type { SimEscalationPolicy } from "./model";
import { renderRange } from "./rendering";
import type { SimState } from "./state";

export interface OncallEntry {
  policyId: string;
  /** 1-based escalation level. */
  level: number;
  /** null: a permanent on-call from a direct user target. */
  scheduleId: string | null;
  userId: string;
  start: number | null;
  end: number | null;
}

export interface OncallFilter {
  /** Instants in epoch ms; since === until asks who is on call at that instant. */
  since: number;
  until: number;
  /** null: every schedule. */
  scheduleIds: readonly string[] | null;
  /** Direct user targets; on by default, and with `schedule_ids[]` only when it lists `null`. */
  includePermanent: boolean;
  userIds: readonly string[] | null;
  policyIds: readonly string[] | null;
  earliest: boolean;
}

const CACHE_SIZE = 32;
/** Keyed by state too: tests and resets create new states, which must never see another state's lists. */
const caches = new WeakMap<SimState, Map<string, readonly OncallEntry[]>>();

/** Instants are answered from the on-calls of the hour around them (see pointInTime). */
const POINT_WINDOW_MS = 3_600_000;

/** The on-calls matching the filter, ordered by policy (name, id), level, start (permanent first), user, schedule. */
export function listOncalls(state: SimState, filter: OncallFilter): readonly OncallEntry[] {
  return filter.since === filter.until ? pointInTime(state, filter) : cachedList(state, filter);
}

/**
 * "Who is on call now" (since = until, GET /oncalls's default) names a new instant on every request while the
 * clock runs, so it would never hit the cache. It is answered from the cached list of the clock hour that holds
 * the instant, keeping the shifts that contain it: a shift that contains the instant overlaps that hour, so the
 * answer is the same, and one render serves every request of the hour.
 */
function pointInTime(state: SimState, f: OncallFilter): OncallEntry[] {
  const t = f.since;
  const since = Math.floor(t / POINT_WINDOW_MS) * POINT_WINDOW_MS;
  const hour = cachedList(state, { ...f, since, until: since + POINT_WINDOW_MS, earliest: false });
  const at = hour.filter((e) => e.start === null || e.end === null || (e.start <= t && t < e.end));
  if (!f.earliest) return at;
  // Entries are sorted by start within a level: the first per (policy, level, user) is the earliest.
  const seen = new Set<string>();
  return at.filter((e) => {
    const key = `${e.policyId}|${e.level}|${e.userId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function cachedList(state: SimState, filter: OncallFilter): readonly OncallEntry[] {
  let cache = caches.get(state);
  if (!cache) caches.set(state, (cache = new Map()));
  const key = `${state.version}|${JSON.stringify(filter)}`;
  const hit = cache.get(key);
  if (hit) {
    // Re-insert: Map order is the LRU order.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const list = compute(state, filter);
  cache.set(key, list);
  for (const old of cache.keys()) {
    if (cache.size <= CACHE_SIZE) break;
    cache.delete(old);
  }
  return list;
}

function compute(state: SimState, f: OncallFilter): OncallEntry[] {
  const scheduleFilter = f.scheduleIds ? new Set(f.scheduleIds) : null;
  const userFilter = f.userIds ? new Set(f.userIds) : null;
  const policyFilter = f.policyIds ? new Set(f.policyIds) : null;
  const shiftsBySchedule = new Map<string, { userId: string; start: number; end: number }[]>();
  const shiftsOf = (scheduleId: string) => {
    let shifts = shiftsBySchedule.get(scheduleId);
    if (!shifts) {
      const schedule = state.data.schedules.get(scheduleId);
      shifts = schedule
        ? renderRange(schedule, f.since, f.until, true).final.map((e) => ({ userId: e.userId, start: e.start.getTime(), end: e.end.getTime() }))
        : [];
      shiftsBySchedule.set(scheduleId, shifts);
    }
    return shifts;
  };

  const policies = [...state.data.escalationPolicies.values()]
    .filter((p) => !policyFilter || policyFilter.has(p.id))
    .sort(byName);
  const out: OncallEntry[] = [];
  for (const policy of policies) {
    policy.rules.forEach((rule, index) => {
      const level: OncallEntry[] = [];
      const seen = new Set<string>();
      const add = (e: OncallEntry) => {
        if (!state.data.users.has(e.userId) || (userFilter && !userFilter.has(e.userId))) return;
        const id = `${e.scheduleId}|${e.userId}|${e.start}`;
        if (seen.has(id)) return;
        seen.add(id);
        level.push(e);
      };
      for (const target of rule.targets) {
        if (target.type === "user_reference") {
          if (f.includePermanent) add({ policyId: policy.id, level: index + 1, scheduleId: null, userId: target.id, start: null, end: null });
        } else if (!scheduleFilter || scheduleFilter.has(target.id)) {
          for (const s of shiftsOf(target.id)) add({ policyId: policy.id, level: index + 1, scheduleId: target.id, ...s });
        }
      }
      level.sort(byStartUser);
      out.push(...(f.earliest ? earliestPerUser(level) : level));
    });
  }
  return out;
}

function byName(a: SimEscalationPolicy, b: SimEscalationPolicy): number {
  return a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

function byStartUser(a: OncallEntry, b: OncallEntry): number {
  return (a.start ?? -Infinity) - (b.start ?? -Infinity) || a.userId.localeCompare(b.userId) || (a.scheduleId ?? "").localeCompare(b.scheduleId ?? "");
}

/** Entries of one level are sorted by start, so the first per user is their earliest (a permanent one first of all). */
function earliestPerUser(level: OncallEntry[]): OncallEntry[] {
  const seen = new Set<string>();
  return level.filter((e) => {
    if (seen.has(e.userId)) return false;
    seen.add(e.userId);
    return true;
  });
}

/**
 * How many on-calls there are at the sim clock's now: one per (escalation policy, level, user), as GET /oncalls
 * with `earliest=true` lists them. For the control API's `/__sim/state`.
 */
export function countOncallsNow(state: SimState): number {
  const now = state.clock.now();
  return listOncalls(state, { since: now, until: now, scheduleIds: null, includePermanent: true, userIds: null, policyIds: null, earliest: true }).length;
}
