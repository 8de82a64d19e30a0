import { z } from "zod";

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
  WORKER_GRACE_MS: z.coerce.number().int().min(0, "WORKER_GRACE_MS must be a number of milliseconds, 0 or more").max(3_600_000, "WORKER_GRACE_MS is at most 3600000 (an hour)").default(30_000),
  SIMULATOR_URL: z.string().url().optional(),
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
  /** On SIGTERM/SIGINT, how long running jobs may take to finish before they are aborted (their leases then expire). */
  workerGraceMs: number;
  simulatorUrl: string | undefined;
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
    workerGraceMs: e.WORKER_GRACE_MS,
    simulatorUrl: e.SIMULATOR_URL,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
  };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
