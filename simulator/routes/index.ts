/** Every PagerDuty endpoint the simulator serves (the control API under /__sim/ is separate). */
import type { RouteDef } from "../http/route";
import { routes as account } from "./account";
import { routes as audit } from "./audit";
import { routes as escalationPolicies } from "./escalation-policies";
import { routes as oncalls } from "./oncalls";
import { routes as schedules } from "./schedules";
import { routes as teams } from "./teams";
import { routes as users } from "./users";

export const pagerDutyRoutes: RouteDef[] = [...users, ...teams, ...schedules, ...oncalls, ...escalationPolicies, ...account, ...audit];
