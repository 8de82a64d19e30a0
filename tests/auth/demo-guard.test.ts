/**
 * A demo that stays a demo (issue 11, part 2; docs/decisions/0012-demo-guard.md): demo mode refuses to
 * start beside any sign of a deployment, naming the variable and why; the local shapes (npm run demo,
 * the e2e server, npm run oidc:dev) start; demo sign-in opens only the seeded demo people.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nextHeadersMock, nextNavigationMock, RedirectError } from "./support/request";
import { setupAuthTestDb } from "./support/hooks";

vi.mock("next/headers", () => nextHeadersMock());
vi.mock("next/navigation", () => nextNavigationMock());

import { demoSignIn } from "@/app/signin/actions";
import { NOT_A_DEMO_PERSON } from "@/lib/auth/demo";
import { ConfigError, parseEnv } from "@/lib/config/env";
import { seedDemoPeople } from "@/lib/demo/people";
import { PersonStatus } from "@/lib/generated/prisma/client";
import { E2E_SERVER_ENV, NPM_RUN_DEMO_ENV, OIDC_DEV_ENV } from "./support/config";
import { createPerson, fingerprint } from "./support/fixtures";

const ROOT = path.resolve(import.meta.dirname, "../..");

function refusal(source: Record<string, string>): string {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be refused`);
}

describe("demo mode beside a deployment sign refuses to start", () => {
  const demo = { DEMO_MODE: "true" };
  // [deployment sign, the variables, what the message names, why]
  const signs: [string, Record<string, string>, string, RegExp][] = [
    ["a PostgreSQL database", { DATABASE_URL: "postgresql://portal:secret@db.internal:5432/portal" }, "DATABASE_URL", /PostgreSQL database is a deployment's data/],
    ["a public NEXTAUTH_URL", { NEXTAUTH_URL: "https://access.example.com" }, "NEXTAUTH_URL (https://access.example.com)", /reachable by other machines/],
    ["a NEXTAUTH_URL on a private address", { NEXTAUTH_URL: "http://10.0.0.5:3000" }, "NEXTAUTH_URL (http://10.0.0.5:3000)", /reachable by other machines/],
    ["a NEXTAUTH_URL on every interface", { NEXTAUTH_URL: "http://0.0.0.0:3000" }, "NEXTAUTH_URL (http://0.0.0.0:3000)", /reachable by other machines/],
    ["a NEXTAUTH_URL that only starts like localhost", { NEXTAUTH_URL: "http://localhost.example.com" }, "NEXTAUTH_URL (http://localhost.example.com)", /reachable/],
    ["a NEXTAUTH_URL that only starts like 127.0.0.1", { NEXTAUTH_URL: "http://127.0.0.1.nip.io:3000" }, "NEXTAUTH_URL (http://127.0.0.1.nip.io:3000)", /reachable/],
    [
      "a real identity provider",
      { OIDC_ISSUER: "https://example.okta.com", OIDC_CLIENT_ID: "portal", OIDC_CLIENT_SECRET: "s3cret" },
      "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ISSUER",
      /issuer is not on this machine/,
    ],
    ["an OIDC client without an issuer", { OIDC_CLIENT_ID: "portal" }, "OIDC_CLIENT_ID", /only a local test provider/],
    ["a lone OIDC display name", { OIDC_DISPLAY_NAME: "Okta" }, "OIDC_DISPLAY_NAME", /only a local test provider/],
    ["a required IdP group", { OIDC_REQUIRED_GROUP: "portal-users" }, "OIDC_REQUIRED_GROUP", /only a local test provider/],
  ];

  it.each(signs)("%s", (_name, vars, names, why) => {
    const message = refusal({ ...demo, ...vars });
    expect(message).toContain(`DEMO_MODE=true refuses to start because ${names} is set`);
    expect(message).toMatch(why);
    expect(message).toMatch(/published secret/);
  });

  it("names every sign at once, so one fix is not followed by another refusal", () => {
    const message = refusal({ ...demo, DATABASE_URL: "postgres://db/portal", NEXTAUTH_URL: "https://access.example.com", OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "c", OIDC_CLIENT_SECRET: "s" });
    expect(message.match(/DEMO_MODE=true refuses/g)).toHaveLength(3);
  });

  it("a blank variable is no sign (DATABASE_URL= as bench/startup.ts sets it)", () => {
    expect(parseEnv({ ...demo, DATABASE_URL: "", OIDC_DISPLAY_NAME: " " }).demoMode).toBe(true);
  });
});

describe("the local shapes start", () => {
  it.each([
    ["the plain demo", { DEMO_MODE: "true" }],
    ["npm run demo", NPM_RUN_DEMO_ENV],
    ["the e2e server (demo mode beside the local OpenID provider)", E2E_SERVER_ENV],
    ["npm run oidc:dev beside demo mode", OIDC_DEV_ENV],
    ["a loopback issuer spelled localhost, and an IPv6 loopback portal", { ...OIDC_DEV_ENV, OIDC_ISSUER: "http://localhost:4400", NEXTAUTH_URL: "http://[::1]:3000" }],
    ["any 127.0.0.0/8 address", { ...OIDC_DEV_ENV, OIDC_ISSUER: "http://127.8.9.10:4400", NEXTAUTH_URL: "http://127.0.0.1:3000" }],
  ])("%s", (_name, source) => {
    expect(parseEnv(source).demoMode).toBe(true);
  });

  it("outside demo mode the same deployment signs are simply the deployment", () => {
    const e = parseEnv({
      DATABASE_URL: "postgresql://portal@db.internal/portal",
      NEXTAUTH_URL: "https://access.example.com",
      NEXTAUTH_SECRET: "x".repeat(32),
      ENCRYPTION_KEY: Buffer.alloc(32, 2).toString("base64"),
      OIDC_ISSUER: "https://idp.example.com",
      OIDC_CLIENT_ID: "portal",
      OIDC_CLIENT_SECRET: "secret",
    });
    expect(e.demoMode).toBe(false);
  });
});

describe("the processes refuse, not only the parser", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.DATABASE_URL;
  });

  it("the server's startup hook prints the refusal and exits with 1", async () => {
    process.env.DEMO_MODE = "true";
    process.env.DATABASE_URL = "postgresql://portal@db.internal/portal";
    process.env.NEXT_RUNTIME = "nodejs";
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((m: unknown) => void errors.push(String(m)));
    vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const { register } = await import("@/instrumentation");
    await expect(register()).rejects.toThrow("exit 1");
    expect(errors.join("\n")).toContain("DEMO_MODE=true refuses to start because DATABASE_URL is set");
    delete process.env.NEXT_RUNTIME;
  });

  it("npm run demo refuses before starting anything when the shell holds a deployment's OIDC settings", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, OIDC_ISSUER: "https://example.okta.com", OIDC_CLIENT_ID: "portal", OIDC_CLIENT_SECRET: "s3cret", PORT: "1", SIMULATOR_PORT: "1" };
    delete env.DATABASE_URL;
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/demo.ts"], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("DEMO_MODE=true refuses to start because OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ISSUER is set");
    expect(run.stdout).not.toMatch(/PagerDuty simulator:|Portal:/);
  });
});

describe("demo sign-in opens the seeded demo people only", () => {
  const testDb = setupAuthTestDb();
  const db = () => testDb().prisma;

  it("refuses any other person's id, and writes nothing", async () => {
    process.env.DEMO_MODE = "true";
    await seedDemoPeople(db());
    const someone = await createPerson(db()); // e.g. a person who signed in through OIDC
    const before = await fingerprint(db());
    expect(await demoSignIn({ personId: someone.id })).toEqual({ ok: false, error: NOT_A_DEMO_PERSON });
    expect(await fingerprint(db())).toBe(before);
  });

  it("signs a demo person in, and refuses a deactivated one", async () => {
    const maya = await db().person.findUniqueOrThrow({ where: { email: "maya.member@example.com" } });
    const signedIn = await demoSignIn({ personId: maya.id }).catch((e: unknown) => e);
    expect(signedIn).toBeInstanceOf(RedirectError);
    expect(await db().session.count({ where: { personId: maya.id } })).toBe(1);

    const noah = await db().person.update({ where: { email: "noah.patel@example.com" }, data: { status: PersonStatus.DEACTIVATED, deactivatedAt: new Date() } });
    expect(await demoSignIn({ personId: noah.id })).toEqual({ ok: false, error: "Your portal access has been deactivated; contact an administrator." });
  });
});
