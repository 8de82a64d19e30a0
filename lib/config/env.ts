import { z } from "zod";
import { emailDomainAllowed } from "@/lib/auth/gate";
import { classifyAddress, parseHostEntry } from "@/lib/net/addresses";

/**
 * The one place that reads process.env. Validated once, with messages a person can act on.
 * Secrets have defaults only in demo mode.
 */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** The embedded database's buffer pool, resident for the process's lifetime: why it is small, lib/db/client.ts. */
export const DEFAULT_PGLITE_SHARED_BUFFERS = "32MB";

/**
 * PAGERDUTY_ALLOWED_HOSTS: hosts (host or host:port, comma-separated) besides PagerDuty's own that may
 * receive a connection's credential (a proxy, a simulator). Each entry is checked here so a typo stops the
 * boot with a message instead of silently refusing (or allowing) something else. lib/net/egress.ts uses it.
 */
const allowedHosts = z
  .string()
  .default("")
  .transform((value, ctx) => {
    const hosts: string[] = [];
    for (const raw of value.split(",")) {
      if (raw.trim() === "") continue;
      const entry = parseHostEntry(raw);
      if ("error" in entry) {
        ctx.addIssue({
          code: "custom",
          message: `${entry.error}. List hosts the portal may send PagerDuty credentials to, comma-separated, as host or host:port (e.g. pd-proxy.internal:8443,127.0.0.1); PagerDuty's own hosts need no entry.`,
        });
        continue;
      }
      hosts.push(entry.port === null ? entry.host : `${entry.host}:${entry.port}`);
    }
    return hosts;
  });

const simulatorUrl = z
  .string()
  .regex(/^https?:\/\/[^/]+/, "SIMULATOR_URL must be the bundled simulator's http(s) URL, e.g. http://127.0.0.1:4010")
  .optional()
  .or(z.literal("").transform(() => undefined));

const egressSchema = z.object({ PAGERDUTY_ALLOWED_HOSTS: allowedHosts, SIMULATOR_URL: simulatorUrl });

/**
 * Only the variables the egress guard needs (lib/net/egress.ts), validated the same way as in `env()`:
 * the PagerDuty client also runs in scripts and tests that have no full portal configuration.
 */
export function egressEnv(source: Record<string, string | undefined> = process.env): { allowedHosts: string[]; simulatorUrl: string | undefined } {
  const parsed = egressSchema.safeParse(source);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  return { allowedHosts: parsed.data.PAGERDUTY_ALLOWED_HOSTS, simulatorUrl: parsed.data.SIMULATOR_URL };
}

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DEMO_MODE: bool,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// or postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  PGLITE_DATA_DIR: z.string().default(".data/pglite"),
  PGLITE_SHARED_BUFFERS: z
    .string()
    .regex(/^[1-9][0-9]*(kB|MB|GB)$/, "PGLITE_SHARED_BUFFERS must be a PostgreSQL memory size such as 16MB or 128MB")
    .default(DEFAULT_PGLITE_SHARED_BUFFERS),
  DB_POOL_MAX: z.coerce.number().int().min(1, "DB_POOL_MAX must be at least 1").max(200).default(10),
  NEXTAUTH_URL: z.string().url("NEXTAUTH_URL must be the portal's public URL, e.g. https://access.example.com").optional(),
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters (openssl rand -base64 32)").optional(),
  OIDC_ISSUER: z.string().url("OIDC_ISSUER must be the issuer URL, e.g. https://example.okta.com").optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_DISPLAY_NAME: z.string().default("Single sign-on"),
  OIDC_REQUIRED_GROUP: z.string().trim().optional().or(z.literal("").transform(() => undefined)),
  OIDC_GROUPS_CLAIM: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_:./-]{1,128}$/, "OIDC_GROUPS_CLAIM must be the name of an ID token claim, e.g. groups")
    .default("groups"),
  ALLOWED_EMAIL_DOMAINS: z.string().default(""),
  BOOTSTRAP_ADMIN_EMAILS: z.string().default(""),
  ALLOW_INSECURE_HTTP: bool,
  TRUSTED_PROXY_HOPS: z.coerce
    .number({ error: "TRUSTED_PROXY_HOPS must be a whole number: how many proxies you run in front of the portal (0 when none)" })
    .int("TRUSTED_PROXY_HOPS must be a whole number: how many proxies you run in front of the portal (0 when none)")
    .min(0, "TRUSTED_PROXY_HOPS cannot be negative (0 when no proxy runs in front of the portal)")
    .max(10, "TRUSTED_PROXY_HOPS above 10 is not a real deployment: count the proxies in front of the portal")
    .default(0),
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "ENCRYPTION_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)")
    .optional(),
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .refine((v) => v === "" || Buffer.from(v, "base64").length === 32, "ENCRYPTION_KEY_PREVIOUS must be the previous ENCRYPTION_KEY: 32 bytes, base64-encoded")
    .optional(),
  WORKER: z.enum(["embedded", "off"]).default("embedded"),
  WORKER_GRACE_MS: z.coerce.number().int().min(0, "WORKER_GRACE_MS must be a number of milliseconds, 0 or more").max(3_600_000, "WORKER_GRACE_MS is at most 3600000 (an hour)").default(30_000),
  SIMULATOR_URL: simulatorUrl,
  PAGERDUTY_ALLOWED_HOSTS: allowedHosts,
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587").optional().or(z.literal("").transform(() => undefined)),
  MAIL_FROM: z.string().default("PagerDuty Access Portal <reviews@localhost>"),
  ROTATION_REMINDER_DAYS: z
    .string()
    .regex(/^\s*[1-9][0-9]{0,2}\s*(,\s*[1-9][0-9]{0,2}\s*)*$/, "ROTATION_REMINDER_DAYS must be whole days before the due date, separated by commas, e.g. 14,3")
    .default("14,3"),
  ROTATION_OVERDUE_REPEAT_DAYS: z.coerce.number().int().min(1, "ROTATION_OVERDUE_REPEAT_DAYS must be at least 1 (day)").max(90).default(7),
  PORTAL_CLOCK_FILE: z.string().trim().min(1).optional().or(z.literal("").transform(() => undefined)),
});

export type Env = {
  nodeEnv: "development" | "production" | "test";
  demoMode: boolean;
  databaseUrl: string | undefined;
  pgliteDataDir: string;
  /** Embedded database only: PostgreSQL's shared_buffers inside PGlite. */
  pgliteSharedBuffers: string;
  dbPoolMax: number;
  authUrl: string;
  authSecret: string;
  oidc: { issuer: string; clientId: string; clientSecret: string; displayName: string } | null;
  /** Who may sign in through OIDC (ALLOWED_EMAIL_DOMAINS, OIDC_REQUIRED_GROUP / OIDC_GROUPS_CLAIM). */
  signInGate: SignInGate;
  bootstrapAdminEmails: string[];
  /** How many proxies in front of the portal append to X-Forwarded-For (0: the socket peer is the client). */
  trustedProxyHops: number;
  encryptionKey: Buffer;
  /** The key before the last rotation (ENCRYPTION_KEY_PREVIOUS): still accepted for decryption only. */
  encryptionKeyPrevious: Buffer | null;
  worker: "embedded" | "off";
  /** On SIGTERM/SIGINT, how long running jobs may take to finish before they are aborted (their leases then expire). */
  workerGraceMs: number;
  simulatorUrl: string | undefined;
  /** PAGERDUTY_ALLOWED_HOSTS, normalised: hosts besides PagerDuty's that may receive a credential. */
  pagerDutyAllowedHosts: string[];
  /** Reminder e-mails (access reviews): SMTP server URL; unset: in-app reminders only. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Credential rotation: remind the owner this many days before the due date (each once per rotation)… */
  rotationReminderDays: number[];
  /** …and when overdue, again every this many days. */
  rotationOverdueRepeatDays: number;
  /** Tests and the demo only (loopback portals): a file holding a clock offset in ms that the portal's clock follows (lib/config/clock.ts). */
  portalClockFile: string | undefined;
};

/** Sign-in restrictions on top of "the identity provider verified the email" (lib/auth/gate.ts). */
export interface SignInGate {
  /** Lower-case email domains allowed to sign in; empty: any domain. */
  allowedEmailDomains: string[];
  /** A group the person must hold in the identity provider's groups claim; null: no group needed. */
  requiredGroup: string | null;
  /** The claim that lists the person's groups (OIDC_GROUPS_CLAIM, default "groups"). */
  groupsClaim: string;
}

// Fixed, public demo-only secrets: a demo portal holds no real credentials.
const DEMO_AUTH_SECRET = "demo-mode-secret-not-for-production-use-000000";
const DEMO_ENCRYPTION_KEY = Buffer.alloc(32, 7);

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every variable.`);
    this.name = "ConfigError";
  }
}

const configErrorFrom = (error: z.ZodError) => new ConfigError(error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw configErrorFrom(parsed.error);
  const e = parsed.data;
  const problems: string[] = [];
  const oidcParts = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    problems.push("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together");
  }
  problems.push(...deploymentSigns(source, e));
  problems.push(...insecureProductionUrl(e));
  if (e.PORTAL_CLOCK_FILE && e.NEXTAUTH_URL && !isLoopbackUrl(e.NEXTAUTH_URL)) {
    problems.push(`PORTAL_CLOCK_FILE moves the portal's clock (expiries, reminders, schedules) and is for tests and the demo on this machine only: unset it, NEXTAUTH_URL (${e.NEXTAUTH_URL}) is not a loopback address.`);
  }
  const allowedEmailDomains = emailDomains(e.ALLOWED_EMAIL_DOMAINS, problems);
  const bootstrapAdminEmails = e.BOOTSTRAP_ADMIN_EMAILS.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (allowedEmailDomains.length) {
    const outside = bootstrapAdminEmails.filter((email) => !emailDomainAllowed(allowedEmailDomains, email));
    if (outside.length) {
      problems.push(
        `BOOTSTRAP_ADMIN_EMAILS lists ${outside.join(", ")}, outside ALLOWED_EMAIL_DOMAINS (${allowedEmailDomains.join(", ")}): they could never sign in. Add the domain or remove the email.`,
      );
    }
  }
  if (!e.DEMO_MODE) {
    if (!e.NEXTAUTH_SECRET) problems.push("NEXTAUTH_SECRET is required outside demo mode");
    if (!e.ENCRYPTION_KEY) problems.push("ENCRYPTION_KEY is required outside demo mode");
    if (!oidcParts.every(Boolean)) problems.push("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required outside demo mode (there is no other way to sign in)");
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    nodeEnv: e.NODE_ENV,
    demoMode: e.DEMO_MODE,
    databaseUrl: e.DATABASE_URL,
    pgliteDataDir: e.PGLITE_DATA_DIR,
    pgliteSharedBuffers: e.PGLITE_SHARED_BUFFERS,
    dbPoolMax: e.DB_POOL_MAX,
    authUrl: e.NEXTAUTH_URL ?? "http://localhost:3000",
    authSecret: e.NEXTAUTH_SECRET ?? DEMO_AUTH_SECRET,
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, displayName: e.OIDC_DISPLAY_NAME }
        : null,
    signInGate: { allowedEmailDomains, requiredGroup: e.OIDC_REQUIRED_GROUP ?? null, groupsClaim: e.OIDC_GROUPS_CLAIM },
    bootstrapAdminEmails,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    encryptionKey: e.ENCRYPTION_KEY ? Buffer.from(e.ENCRYPTION_KEY, "base64") : DEMO_ENCRYPTION_KEY,
    encryptionKeyPrevious: e.ENCRYPTION_KEY_PREVIOUS ? Buffer.from(e.ENCRYPTION_KEY_PREVIOUS, "base64") : null,
    worker: e.WORKER,
    workerGraceMs: e.WORKER_GRACE_MS,
    simulatorUrl: e.SIMULATOR_URL,
    pagerDutyAllowedHosts: e.PAGERDUTY_ALLOWED_HOSTS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    rotationReminderDays: [...new Set(e.ROTATION_REMINDER_DAYS.split(",").map((d) => Number(d.trim())))].sort((a, b) => b - a),
    rotationOverdueRepeatDays: e.ROTATION_OVERDUE_REPEAT_DAYS,
    portalClockFile: e.PORTAL_CLOCK_FILE,
  };
}

type Parsed = z.infer<typeof schema>;

/** localhost, 127.0.0.0/8 and [::1]: a URL that only this machine can reach. */
export function isLoopbackUrl(raw: string | undefined): boolean {
  if (!raw) return false;
  let host: string;
  try {
    host = new URL(raw).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === "localhost" || classifyAddress(host) === "loopback";
}

/**
 * Demo mode uses public, published secrets and lets anyone sign in as an admin: it must never run where
 * a deployment's data or users are (docs/decisions/0012-demo-guard.md). Each sign of a deployment is one
 * problem naming its variable. An OpenID provider on loopback with a loopback NEXTAUTH_URL is the local
 * test setup (e2e, `npm run oidc:dev`), not a deployment.
 */
function deploymentSigns(source: Record<string, string | undefined>, e: Parsed): string[] {
  if (!e.DEMO_MODE) return [];
  const refuse = (variable: string, why: string) =>
    `DEMO_MODE=true refuses to start because ${variable} is set: ${why}. Demo mode signs sessions with a published secret, encrypts PagerDuty keys with a published key and lets anyone sign in as an admin, so it must never run next to real data or users. Unset ${variable}, or unset DEMO_MODE and configure the deployment (see .env.example).`;
  const problems: string[] = [];
  if (e.DATABASE_URL) problems.push(refuse("DATABASE_URL", "a PostgreSQL database is a deployment's data (demo mode uses the embedded database only)"));
  if (e.NEXTAUTH_URL && !isLoopbackUrl(e.NEXTAUTH_URL)) {
    problems.push(refuse(`NEXTAUTH_URL (${e.NEXTAUTH_URL})`, "the portal would be reachable by other machines (demo mode runs on localhost, 127.0.0.1 or [::1] only)"));
  }
  const oidcVars = Object.keys(source)
    .filter((k) => k.startsWith("OIDC_") && source[k]?.trim())
    .sort();
  if (oidcVars.length && !isLoopbackUrl(e.OIDC_ISSUER)) {
    const why = e.OIDC_ISSUER
      ? "its issuer is not on this machine, so it is a real identity provider's people signing in"
      : "single sign-on settings are a deployment's (only a local test provider, OIDC_ISSUER on 127.0.0.1 or localhost, may sit beside demo mode)";
    problems.push(refuse(oidcVars.join(", "), why));
  }
  return problems;
}

/**
 * In production the session cookie must travel over https only: NEXTAUTH_URL must be https, except on
 * loopback (a browser on this machine; the e2e server) or when the operator sets ALLOW_INSECURE_HTTP.
 */
function insecureProductionUrl(e: Parsed): string[] {
  if (e.NODE_ENV !== "production" || e.ALLOW_INSECURE_HTTP || !e.NEXTAUTH_URL) return [];
  if (e.NEXTAUTH_URL.startsWith("https://") || isLoopbackUrl(e.NEXTAUTH_URL)) return [];
  return [
    `NEXTAUTH_URL must be an https:// URL in production (it is ${e.NEXTAUTH_URL}): over plain http the session cookie and sign-in travel readable by anyone on the network, and cookies cannot be marked Secure. Use the https address people open (TLS may end at your proxy), or set ALLOW_INSECURE_HTTP=true to accept the risk knowingly.`,
  ];
}

/** "example.com, Corp.Example.org" → ["example.com", "corp.example.org"]; anything that is not a domain is a problem. */
function emailDomains(raw: string, problems: string[]): string[] {
  const domains = raw
    .split(",")
    .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
    .filter(Boolean);
  const bad = domains.filter((d) => !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(d));
  if (bad.length) problems.push(`ALLOWED_EMAIL_DOMAINS must be email domains separated by commas, e.g. example.com,example.org (not: ${bad.join(", ")})`);
  return [...new Set(domains)];
}

/**
 * Only the database settings, for tools that touch nothing else (`npm run db:migrate`): they need no
 * secrets or sign-in settings, and must not borrow demo mode to skip them.
 */
export function parseDatabaseEnv(source: Record<string, string | undefined>): Pick<Env, "databaseUrl" | "pgliteDataDir" | "pgliteSharedBuffers" | "dbPoolMax"> {
  const parsed = schema.pick({ DATABASE_URL: true, PGLITE_DATA_DIR: true, PGLITE_SHARED_BUFFERS: true, DB_POOL_MAX: true }).safeParse(source);
  if (!parsed.success) throw configErrorFrom(parsed.error);
  const e = parsed.data;
  return { databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR, pgliteSharedBuffers: e.PGLITE_SHARED_BUFFERS, dbPoolMax: e.DB_POOL_MAX };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
