/**
 * Full sync: the whole picture in close to the minimum number of requests (NOTES §7): users ⌈U/100⌉,
 * licenses 1, allocations ⌈U/100⌉, teams ⌈T/100⌉, members Σ⌈M_t/100⌉, schedules with their layers
 * ⌈S/100⌉, policies ⌈EP/100⌉, on-calls within the horizon ⌈N/100⌉ (+1 count probe). No per-user fetches.
 *
 * Each listing is read to the end, then written with its removals in one transaction (queued, so the
 * next listing is fetched meanwhile). A listing that fails leaves its table as the last good sync left it.
 */
import { z } from "zod";
import { isPagerDutyError, type Listing, type PdEscalationPolicy, type PdOncall } from "@/lib/pagerduty";
import { markUnseenRemoved, type Row } from "./bulk";
import { forEachLimit, throwIfAborted, type SyncContext } from "./context";
import {
  layerMemberRows,
  licenseRow,
  membershipRow,
  oncallRow,
  policyRow,
  policyTargetRows,
  scheduleRow,
  shiftKey,
  teamRow,
  userRow,
} from "./entities";
import { writeEntity, writeLicenseAllocations } from "./store";

/** Team members are written in batches of about this many rows. */
const MEMBER_BATCH = 2_500;
const pagesFor = (n: number) => Math.max(1, Math.ceil(n / 100));
export const NO_TEAMS_WARNING = "Teams and team memberships were not synced: the PagerDuty account lacks the teams ability (its plan has no Teams).";

/** Reads a listing to its end, counting pages for progress. */
export async function readAll<T>(ctx: SyncContext, entity: string, list: Listing<T>): Promise<T[]> {
  return readMapped(ctx, entity, list, (item) => [item]);
}

/**
 * Reads a listing to its end, keeping only what `map` makes of each item (a page's objects are dropped as
 * soon as they are mapped: a 10,000-user account's full user objects are never all held at once).
 */
export async function readMapped<T, R>(ctx: SyncContext, entity: string, list: Listing<T>, map: (item: T) => R[]): Promise<R[]> {
  const out: R[] = [];
  for await (const page of list.pages()) {
    throwIfAborted(ctx.signal);
    for (const item of page) for (const r of map(item)) out.push(r);
    ctx.progress.page(entity, page.length);
  }
  return out;
}

const lacksAbility = (error: unknown) => isPagerDutyError(error) && error.kind === "http" && error.status === 402;

export async function fullSync(ctx: SyncContext): Promise<{ teamsSynced: boolean; oncallsUntil: Date }> {
  const { client, progress, connectionId: c, writes } = ctx;

  progress.setPhase("users");
  const users = await readMapped(ctx, "users", client.listUsers(), (u) => [userRow(c, u)]);
  progress.expect(progress.pages + pagesFor(users.length) + 5);
  writes.push((tx) => writeEntity(tx, ctx, "users", users, { remove: {} }));

  progress.setPhase("licenses");
  const licenses = await client.listLicenses();
  progress.page("licenses", licenses.length);
  writes.push((tx) => writeEntity(tx, ctx, "licenses", licenses.map((l) => licenseRow(c, l)), { remove: {} }));
  const allocations = new Map(await readMapped(ctx, "licenseAllocations", client.listLicenseAllocations(), (a) => [[a.user.id, a.license.id] as const]));
  writes.push((tx) => writeLicenseAllocations(tx, ctx, allocations));
  writes.check();

  const teamsSynced = await syncTeams(ctx);

  progress.setPhase("schedules");
  const layerMembers: Row[] = [];
  const schedules = await readMapped(ctx, "schedules", client.listSchedules({ include: ["schedule_layers"] }), (s) => {
    layerMembers.push(...layerMemberRows(c, s));
    return [scheduleRow(c, s)];
  });
  writes.push(async (tx) => {
    await writeEntity(tx, ctx, "schedules", schedules, { remove: {} });
    await writeEntity(tx, ctx, "layerMembers", layerMembers, { remove: {} });
  });

  progress.setPhase("policies");
  const targets: Row[] = [];
  const policies = await readMapped(ctx, "escalationPolicies", client.listEscalationPolicies(), (p) => {
    targets.push(...policyTargetRows(c, p));
    return [policyRow(c, p)];
  });
  writes.push(async (tx) => {
    await writeEntity(tx, ctx, "policies", policies, { remove: {} });
    await writeEntity(tx, ctx, "policyTargets", targets, { remove: {} });
  });
  writes.check();

  progress.setPhase("oncalls");
  const until = new Date(ctx.seenAt.getTime() + ctx.horizonDays * 86_400_000);
  const oncalls = await readOncalls(ctx, ctx.seenAt, until, policies.map((p) => ({ id: p.pdId as string })));
  writes.push((tx) => writeEntity(tx, ctx, "oncalls", oncalls.map((o) => oncallRow(c, o)), { remove: {} }));
  return { teamsSynced, oncallsUntil: until };
}

/** Teams and members per team; without the teams ability, says why and leaves stored teams as they were. */
async function syncTeams(ctx: SyncContext): Promise<boolean> {
  const { client, progress, connectionId: c, writes } = ctx;
  if (!ctx.abilities.has("teams")) {
    progress.warn(NO_TEAMS_WARNING);
    return false;
  }
  progress.setPhase("teams");
  let teams;
  try {
    teams = await readAll(ctx, "teams", client.listTeams());
  } catch (error) {
    if (!lacksAbility(error)) throw error;
    progress.warn(NO_TEAMS_WARNING);
    return false;
  }
  writes.push((tx) => writeEntity(tx, ctx, "teams", teams.map((t) => teamRow(c, t)), { remove: {} }));
  progress.setPhase("memberships");
  progress.expect(progress.pages + teams.length + 3);
  // Members are written in batches of a few thousand rows: one transaction per team would make a
  // thousand-team account wait on its writes rather than on PagerDuty.
  let batch: Row[] = [];
  const flush = () => {
    const rows = batch;
    batch = [];
    if (rows.length) writes.push((tx) => writeEntity(tx, ctx, "memberships", rows));
  };
  await forEachLimit(teams, 4, async (team) => {
    throwIfAborted(ctx.signal);
    const members = await readAll(ctx, "memberships", client.listTeamMembers(team.id));
    for (const m of members) batch.push(membershipRow(c, team.id, m));
    if (batch.length >= MEMBER_BATCH) flush();
  });
  flush();
  // Every team's listing completed: memberships not seen are gone (teams removed in PagerDuty included).
  writes.push(async (tx) => {
    ctx.progress.count("memberships", { created: 0, updated: 0, removed: await markUnseenRemoved(tx, "PdTeamMembership", c, ctx.seenAt) });
  });
  return true;
}

const countSchema = z.object({ total: z.number().nullish() });

/** Above this many on-calls the listing is split by escalation policy (the 10,000-record offset cap). */
const ONCALL_PARTITION = 7_000;

/**
 * On-calls from `since` to `until`. One probe (limit 1, total) tells the count; above the offset cap the
 * listing is split into disjoint groups of policies (every on-call belongs to exactly one policy).
 */
export async function readOncalls(ctx: SyncContext, since: Date, until: Date, policies: Pick<PdEscalationPolicy, "id">[], scope: { scheduleIds?: string[]; escalationPolicyIds?: string[] } = {}): Promise<PdOncall[]> {
  const query = { since: since.toISOString(), until: until.toISOString(), ...scope };
  const probe = await ctx.client.request({
    method: "GET",
    route: "/oncalls",
    query: { since: query.since, until: query.until, limit: 1, total: "true", "schedule_ids[]": scope.scheduleIds, "escalation_policy_ids[]": scope.escalationPolicyIds },
    schema: countSchema,
  });
  const total = probe.data.total ?? undefined;
  ctx.progress.page("oncallProbe", 0);
  if (total !== undefined) ctx.progress.expect(ctx.progress.pages + pagesFor(total));
  if (total === undefined || total <= 10_000 || scope.escalationPolicyIds || policies.length < 2) {
    return readAll(ctx, "oncalls", ctx.client.listOncalls(query));
  }
  const byKey = new Map<string, PdOncall>();
  const groups = Math.ceil(total / ONCALL_PARTITION);
  const ids = policies.map((p) => p.id);
  const size = Math.ceil(ids.length / groups);
  const read = async (group: string[]): Promise<void> => {
    try {
      for (const o of await readAll(ctx, "oncalls", ctx.client.listOncalls({ ...query, escalationPolicyIds: group }))) byKey.set(shiftKey(o), o);
    } catch (error) {
      if (!(isPagerDutyError(error) && error.kind === "incomplete_listing") || group.length < 2) throw error;
      const half = Math.ceil(group.length / 2);
      await read(group.slice(0, half));
      await read(group.slice(half));
    }
  };
  for (let i = 0; i < ids.length; i += size) await read(ids.slice(i, i + size));
  return [...byKey.values()];
}
