/**
 * Reading PagerDuty to see whether it shows a change's desired state. Used twice: before a write that may
 * already have happened (a retry after a lost answer or a crashed worker: if PagerDuty shows it, do not
 * write again), and after the write to verify it. Reads only; never a write.
 */
import { isPagerDutyError, type PagerDutyClient } from "@/lib/pagerduty";
import type { Desired } from "./types";

export interface Observation {
  matches: boolean;
  /** What was read, stored on the change as evidence. */
  observed: Record<string, unknown>;
  /** PagerDuty offers no read that could show this change (sign-out): never verifiable. */
  unobservable?: boolean;
  /** For a user creation: the id PagerDuty gave the user. */
  userId?: string;
}

const notFound = (error: unknown) => isPagerDutyError(error) && error.kind === "http" && error.status === 404;

export async function observe(client: PagerDutyClient, desired: Desired): Promise<Observation> {
  switch (desired.kind) {
    case "TEAM_MEMBER_PUT":
    case "TEAM_MEMBER_REMOVE": {
      const members = await client.listTeamMembers(desired.teamId).all();
      const member = members.find((m) => m.user.id === desired.userId);
      const observed = { teamId: desired.teamId, userId: desired.userId, member: Boolean(member), role: member?.role ?? null, membersRead: members.length };
      return { matches: desired.kind === "TEAM_MEMBER_PUT" ? member?.role === desired.role : !member, observed };
    }
    case "USER_ROLE_CHANGE": {
      try {
        const user = await client.getUser(desired.userId);
        return { matches: user.role === desired.role, observed: { userId: user.id, role: user.role } };
      } catch (error) {
        if (notFound(error)) return { matches: false, observed: { userId: desired.userId, exists: false } };
        throw error;
      }
    }
    case "USER_CREATE": {
      // GET /users?query= matches names and e-mails loosely: the exact address decides (as Teleport does).
      const email = desired.email.toLowerCase();
      const found = (await client.listUsers({ query: desired.email }).all()).find((u) => u.email.toLowerCase() === email);
      if (!found) return { matches: false, observed: { email: desired.email, exists: false } };
      const roleOk = !desired.role || found.role === desired.role;
      return { matches: roleOk, observed: { userId: found.id, email: found.email, name: found.name, role: found.role, exists: true }, userId: found.id };
    }
    case "USER_DELETE": {
      try {
        const user = await client.getUser(desired.userId);
        return { matches: false, observed: { userId: user.id, exists: true } };
      } catch (error) {
        if (notFound(error)) return { matches: true, observed: { userId: desired.userId, exists: false } };
        throw error;
      }
    }
    case "USER_SIGN_OUT":
      return { matches: false, unobservable: true, observed: { userId: desired.userId, types: desired.types } };
  }
}
