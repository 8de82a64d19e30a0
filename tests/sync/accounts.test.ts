/**
 * Account and credential variants: an EU account reached through an OAuth app, an account without the
 * teams ability, an invalid key; and no plaintext credential anywhere in the database or the logs.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunningSimulator } from "@/simulator";
import { defaultApiBaseUrl, tokenUrlFor } from "@/lib/connections/credential";
import { NO_TEAMS_WARNING } from "@/lib/sync/full";
import { createTestDb, type TestDb } from "../support/db";
import { connect, control, startSim, sync } from "./support";

let t: TestDb;
let sim: RunningSimulator;
const logged: string[] = [];

beforeAll(async () => {
  t = await createTestDb();
  sim = await startSim({ seed: 5, size: { users: 120, teams: 6, schedules: 4, escalationPolicies: 4 } });
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await sim?.close();
  await t?.close();
});

describe("account variants", () => {
  it("an EU account through an OAuth app (token from the identity endpoint, EU account scope) syncs", async () => {
    // PagerDuty's own EU endpoints for an EU connection without a custom address.
    expect(defaultApiBaseUrl("EU")).toBe("https://api.eu.pagerduty.com");
    expect(tokenUrlFor({ region: "EU", subdomain: "acme", apiBaseUrl: defaultApiBaseUrl("EU"), oauthTokenUrl: null })).toBe("https://identity.eu.pagerduty.com/oauth/token");

    // The token request goes out over node:http (pinned by the egress guard): watch what it sends.
    const tokenRequests: string[] = [];
    const realRequest = http.request;
    const spy = vi.spyOn(http, "request").mockImplementation(((...args: Parameters<typeof http.request>) => {
      const req = realRequest(...args);
      if (String(args[0]).endsWith("/oauth/token")) {
        const end = req.end.bind(req) as (body?: unknown) => http.ClientRequest;
        req.end = ((body?: unknown) => {
          tokenRequests.push(String(body ?? ""));
          return end(body);
        }) as typeof req.end;
      }
      return req;
    }) as typeof http.request);
    const c = await connect(t.prisma, sim, { kind: "OAUTH", clientId: sim.oauth.clientId, clientSecret: sim.oauth.clientSecret }, { region: "EU", name: "eu-oauth" });
    const result = await sync(t.prisma, c, { kind: "FULL" });
    spy.mockRestore();
    expect(result.status, result.error).toBe("SUCCEEDED");
    // One token for the whole run, asked for the EU account.
    expect(tokenRequests).toHaveLength(1);
    expect(new URLSearchParams(tokenRequests[0]).get("scope")?.split(" ")).toContain("as_account-eu.acme");
    expect(await t.prisma.pdUser.count({ where: { connectionId: c, removedAt: null } })).toBe(sim.state.data.users.size);
    expect(await t.prisma.pdTeamMembership.count({ where: { connectionId: c, removedAt: null } })).toBe(sim.state.data.memberships.size);
  });

  it("without the teams ability: everything else syncs and the run says why teams are missing", async () => {
    await control(sim, "/abilities", { disable: ["teams"] });
    try {
      const c = await connect(t.prisma, sim, { kind: "API_KEY", apiKey: sim.keys.readOnly }, { name: "no-teams" });
      const result = await sync(t.prisma, c, { kind: "FULL" });
      expect(result.status, result.error).toBe("SUCCEEDED");
      expect(result.warnings).toEqual([NO_TEAMS_WARNING]);
      const run = await t.prisma.syncRun.findUniqueOrThrow({ where: { id: result.runId } });
      expect(run.warnings).toEqual([NO_TEAMS_WARNING]);
      expect(await t.prisma.pdTeam.count({ where: { connectionId: c } })).toBe(0);
      expect(await t.prisma.pdUser.count({ where: { connectionId: c, removedAt: null } })).toBe(sim.state.data.users.size);
      expect(await t.prisma.pdSchedule.count({ where: { connectionId: c, removedAt: null } })).toBe(sim.state.data.schedules.size);
      expect(await t.prisma.pdEscalationPolicy.count({ where: { connectionId: c, removedAt: null } })).toBe(sim.state.data.escalationPolicies.size);
      const conn = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: c } });
      expect(conn.abilities).not.toContain("teams");
    } finally {
      await control(sim, "/abilities", { enable: ["teams"] });
    }
  });

  it("an invalid key: the run fails with PagerDuty's reason and changes nothing", async () => {
    const c = await connect(t.prisma, sim, { kind: "API_KEY", apiKey: "sim+wrong_Key-4242" }, { name: "invalid" });
    const result = await sync(t.prisma, c, { kind: "FULL" });
    expect(result.status).toBe("FAILED");
    expect(result.error).toMatch(/^PagerDuty refused the credential — .*rotate it on the connection's page\. \(.*401.*\)$/);
    expect(await t.prisma.pdUser.count({ where: { connectionId: c } })).toBe(0);
    const conn = await t.prisma.pagerDutyConnection.findUniqueOrThrow({ where: { id: c } });
    expect(conn.lastSuccessfulSyncAt).toBeNull();
    expect(conn.lastSyncAt).not.toBeNull();
  });
});

describe("credentials stay secret", () => {
  it("no plaintext credential in a dump of every table, in sync errors, or in anything logged", async () => {
    const tables = await t.prisma.$queryRaw<{ table_name: string }[]>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    expect(tables.map((x) => x.table_name)).toContain("SyncRun");
    let dump = "";
    for (const { table_name } of tables) {
      const rows = await t.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${table_name}" t`);
      dump += rows.map((r) => r.row).join("\n");
    }
    expect(dump.length).toBeGreaterThan(10_000);
    for (const secret of [sim.keys.full, sim.keys.readOnly, sim.oauth.clientSecret, "sim+wrong_Key-4242"]) {
      expect(dump).not.toContain(secret);
      expect(logged.join("\n")).not.toContain(secret);
    }
    const errors = await t.prisma.syncRun.findMany({ where: { error: { not: null } }, select: { error: true } });
    expect(errors.length).toBeGreaterThan(0);
  });
});
