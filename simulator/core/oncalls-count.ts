/**
 * How many on-calls there are right now, counted as GET /oncalls would list them: one per (escalation policy,
 * level, user). A user targeted directly is on call permanently; a schedule target contributes whoever the
 * schedule has on call at the sim clock's now. Used by the control API's state counts.
 */
import { whoIsOnCall } from "../schedule/render";
import type { SimState } from "./state";

export function countOncallsNow(state: SimState): number {
  const now = state.clock.date();
  const onCallBySchedule = new Map<string, string | null>();
  const scheduleOnCall = (id: string): string | null => {
    if (!onCallBySchedule.has(id)) {
      const schedule = state.data.schedules.get(id);
      onCallBySchedule.set(id, schedule ? whoIsOnCall(schedule, now) : null);
    }
    return onCallBySchedule.get(id) ?? null;
  };
  let total = 0;
  for (const policy of state.data.escalationPolicies.values()) {
    for (const rule of policy.rules) {
      const users = new Set<string>();
      for (const target of rule.targets) {
        const userId = target.type === "user_reference" ? target.id : scheduleOnCall(target.id);
        if (userId && state.data.users.has(userId)) users.add(userId);
      }
      total += users.size;
    }
  }
  return total;
}
