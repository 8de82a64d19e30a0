import { z } from "zod";
import { parseHostEntry } from "@/lib/net/addresses";

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
  BOOTSTRAP_ADMIN_EMAILS: z.string().default(""),
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "ENCRYPTION_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)")
    .optional(),
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .refine((v) => v === "" || Buffer.from(v, "base64").length === 32, "ENCRYPTION_KEY_PREVIOUS must be the previous ENCRYPTION_KEY: 32 bytes, base64-encoded")
    .optional(),
  WORKER: z.enum(["embedded", "off"]).default("embedded"),
  SIMULATOR_URL: simulatorUrl,
  PAGERDUTY_ALLOWED_HOSTS: allowedHosts,
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587").optional().or(z.literal("").transform(() => undefined)),
  MAIL_FROM: z.string().default("PagerDuty Access Portal <reviews@localhost>"),
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
  bootstrapAdminEmails: string[];
  encryptionKey: Buffer;
  /** The key before the last rotation (ENCRYPTION_KEY_PREVIOUS): still accepted for decryption only. */
  encryptionKeyPrevious: Buffer | null;
  worker: "embedded" | "off";
  simulatorUrl: string | undefined;
  /** PAGERDUTY_ALLOWED_HOSTS, normalised: hosts besides PagerDuty's that may receive a credential. */
  pagerDutyAllowedHosts: string[];
  /** Reminder e-mails (access reviews): SMTP server URL; unset: in-app reminders only. */
  smtpUrl: string | undefined;
  mailFrom: string;
};

// Fixed, public demo-only secrets: a demo portal holds no real credentials.
const DEMO_AUTH_SECRET = "demo-mode-secret-not-for-production-use-000000";
const DEMO_ENCRYPTION_KEY = Buffer.alloc(32, 7);

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every variable.`);
    this.name = "ConfigError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const oidcParts = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    problems.push("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together");
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
    bootstrapAdminEmails: e.BOOTSTRAP_ADMIN_EMAILS.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean),
    encryptionKey: e.ENCRYPTION_KEY ? Buffer.from(e.ENCRYPTION_KEY, "base64") : DEMO_ENCRYPTION_KEY,
    encryptionKeyPrevious: e.ENCRYPTION_KEY_PREVIOUS ? Buffer.from(e.ENCRYPTION_KEY_PREVIOUS, "base64") : null,
    worker: e.WORKER,
    simulatorUrl: e.SIMULATOR_URL,
    pagerDutyAllowedHosts: e.PAGERDUTY_ALLOWED_HOSTS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
  };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
