/**
 * Inputs of the connection actions. Every field a person types is validated here, with messages a
 * person can act on; unknown fields are refused (strict objects), so a typo never silently does nothing.
 */
import { z } from "zod";
import { text } from "@/lib/validation/text";
import { parseInstanceUrl, type PagerDutyInstance } from "./instance";

const id = (what: string) =>
  text({ error: `${what} is required.` })
    .trim()
    .min(1, `${what} is required.`)
    .max(64, `${what} is not a valid id.`)
    .regex(/^[A-Za-z0-9_-]+$/, `${what} is not a valid id.`);

export const connectionName = text({ error: "Name is required." })
  .trim()
  .min(2, "Name must be at least 2 characters.")
  .max(80, "Name must be at most 80 characters.")
  .regex(/^[^\u0000-\u001f\u007f]+$/, "Name must not contain control characters.");

/** The account's subdomain: "acme" for acme.pagerduty.com (a full URL is accepted and reduced). */
export const subdomain = text({ error: "Subdomain is required." })
  .trim()
  .toLowerCase()
  .transform((v) => v.replace(/^https?:\/\//, "").replace(/\.(eu\.)?pagerduty\.com\/?.*$/, ""))
  .pipe(
    text()
      .min(1, "Subdomain is required.")
      .max(63, "Subdomain must be at most 63 characters.")
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "Subdomain must be the account's subdomain, e.g. acme for acme.pagerduty.com."),
  );

export const region = z.enum(["US", "EU"], { error: "Region must be US or EU." });

/**
 * The PagerDuty instance URL (https://acme.pagerduty.com, https://acme.eu.pagerduty.com, or just "acme"):
 * becomes the subdomain and region, from which the API and OAuth addresses are derived.
 */
export const instanceUrl = text({ error: "PagerDuty instance URL is required." })
  .max(300, "The PagerDuty instance URL must be at most 300 characters.")
  .transform((value, ctx): PagerDutyInstance => {
    const parsed = parseInstanceUrl(value);
    if ("error" in parsed) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return parsed;
  });

/**
 * An http(s) base URL without credentials, query or fragment: a custom endpoint. Whether the portal may send
 * a credential there is the egress guard's decision (PagerDuty's own hosts, or a host the operator listed in
 * PAGERDUTY_ALLOWED_HOSTS, such as the simulator); the service asks it before anything is sent.
 */
export const baseUrl = (what: string) =>
  text({ error: `${what} must be a URL.` })
    .trim()
    .max(500, `${what} must be at most 500 characters.`)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password && !u.search && !u.hash && Boolean(u.hostname);
      } catch {
        return false;
      }
    }, `${what} must be an http(s) URL such as https://api.pagerduty.com, without credentials, query or fragment.`)
    // Stored as the URL parser reads it (IP spellings normalised, host lower-cased), without a trailing slash.
    .transform((v) => {
      const u = new URL(v);
      return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
    });

/** An account API key (or a user key). PagerDuty keys hold letters, digits, _, +, - (NOTES §1.2). */
export const apiKey = text({ error: "API key is required." })
  .trim()
  .min(8, "API key is too short: paste the whole key from PagerDuty (Integrations → API Access Keys).")
  .max(512, "API key is too long: paste only the key.")
  .regex(/^[\x21-\x7e]+$/, "API key must not contain spaces or control characters: paste only the key.");

export const oauthClientId = text({ error: "OAuth client id is required." })
  .trim()
  .min(1, "OAuth client id is required.")
  .max(256, "OAuth client id is too long.")
  .regex(/^[\x21-\x7e]+$/, "OAuth client id must not contain spaces or control characters.");

export const oauthClientSecret = text({ error: "OAuth client secret is required." })
  .trim()
  .min(8, "OAuth client secret is too short: paste the whole secret.")
  .max(512, "OAuth client secret is too long.")
  .regex(/^[\x21-\x7e]+$/, "OAuth client secret must not contain spaces or control characters.");

export const purpose = text({ error: "Purpose is required." })
  .trim()
  .min(5, "Purpose must say in a few words what the credential is for (at least 5 characters).")
  .max(500, "Purpose must be at most 500 characters.");

export const rotationPeriodDays = z
  .number({ error: "Rotation period must be a whole number of days." })
  .int("Rotation period must be a whole number of days.")
  .min(1, "Rotation period must be at least 1 day.")
  .max(730, "Rotation period must be at most 730 days (2 years).");

export const syncIntervalMinutes = z
  .number({ error: "Sync interval must be a whole number of minutes." })
  .int("Sync interval must be a whole number of minutes.")
  .min(5, "Sync interval must be at least 5 minutes.")
  .max(1440, "Sync interval must be at most 1440 minutes (one day).");

const reason = text().trim().min(3, "Reason must be at least 3 characters.").max(500, "Reason must be at most 500 characters.");

const connectionFields = {
  name: connectionName,
  /** The account, as the address people sign in at; or, for scripts, subdomain + region. */
  instanceUrl: instanceUrl.optional(),
  subdomain: subdomain.optional(),
  region: region.optional(),
  /** Advanced: a custom endpoint (allow-listed hosts only). Default: PagerDuty's API for the region. */
  apiBaseUrl: baseUrl("API base URL").optional(),
  /** Default: PagerDuty's identity endpoint for the region, or <API origin>/oauth/token for a custom API URL. */
  oauthTokenUrl: baseUrl("OAuth token URL").optional(),
  ownerPersonId: id("Owner"),
  purpose,
  rotationPeriodDays: rotationPeriodDays.optional(),
  syncIntervalMinutes: syncIntervalMinutes.optional(),
};

/** The account is named once: by its instance URL, or by subdomain (and region). */
const oneAccount = (v: { instanceUrl?: unknown; subdomain?: unknown; region?: unknown }, ctx: z.RefinementCtx, required: boolean) => {
  if (v.instanceUrl !== undefined && (v.subdomain !== undefined || v.region !== undefined)) {
    ctx.addIssue({ code: "custom", path: ["instanceUrl"], message: "Give the PagerDuty instance URL, or subdomain and region, not both." });
  } else if (required && v.instanceUrl === undefined && v.subdomain === undefined) {
    ctx.addIssue({ code: "custom", path: ["instanceUrl"], message: "PagerDuty instance URL is required, e.g. https://acme.pagerduty.com (EU: https://acme.eu.pagerduty.com)." });
  }
};

export const createConnectionInput = z
  .discriminatedUnion(
    "credentialKind",
    [
      z.strictObject({ ...connectionFields, credentialKind: z.literal("API_KEY"), apiKey }),
      z.strictObject({ ...connectionFields, credentialKind: z.literal("OAUTH"), oauthClientId, oauthClientSecret }),
    ],
    { error: "Credential kind must be API_KEY (an account API key) or OAUTH (a scoped OAuth app)." },
  )
  .superRefine((v, ctx) => oneAccount(v, ctx, true));
export type CreateConnectionInput = z.infer<typeof createConnectionInput>;

export const updateConnectionInput = z
  .strictObject({
    connectionId: id("Connection"),
    name: connectionName.optional(),
    instanceUrl: instanceUrl.optional(),
    subdomain: subdomain.optional(),
    region: region.optional(),
    /** null: back to PagerDuty's API for the region. */
    apiBaseUrl: baseUrl("API base URL").nullable().optional(),
    /** null: back to the default for the region / API URL. */
    oauthTokenUrl: baseUrl("OAuth token URL").nullable().optional(),
    /**
     * The secret, entered again: required when the address changes (instance URL, region, subdomain, API or
     * token URL), because a stored secret is never sent to an address it was not entered for.
     */
    apiKey: apiKey.optional(),
    oauthClientSecret: oauthClientSecret.optional(),
    ownerPersonId: id("Owner").optional(),
    purpose: purpose.optional(),
    rotationPeriodDays: rotationPeriodDays.optional(),
    syncIntervalMinutes: syncIntervalMinutes.optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== "connectionId"), { message: "Nothing to change: give at least one field to update." })
  .refine((v) => v.apiKey === undefined || v.oauthClientSecret === undefined, { message: "Give the API key or the OAuth client secret, not both.", path: ["apiKey"] })
  .superRefine((v, ctx) => oneAccount(v, ctx, false));
export type UpdateConnectionInput = z.infer<typeof updateConnectionInput>;

export const setConnectionStatusInput = z.strictObject({
  connectionId: id("Connection"),
  reason: reason.optional(),
});
export type SetConnectionStatusInput = z.infer<typeof setConnectionStatusInput>;

export const removeConnectionInput = z.strictObject({
  connectionId: id("Connection"),
  /** The connection's name, typed again to confirm. */
  confirmName: text({ error: "Type the connection's name to confirm." }).trim().min(1, "Type the connection's name to confirm.").max(80, "Type the connection's name to confirm."),
  reason: reason.optional(),
});
export type RemoveConnectionInput = z.infer<typeof removeConnectionInput>;

export const rotateCredentialInput = z.union(
  [
    z.strictObject({ connectionId: id("Connection"), apiKey }),
    z.strictObject({ connectionId: id("Connection"), oauthClientSecret, oauthClientId: oauthClientId.optional() }),
  ],
  { error: "Give the new credential: apiKey for an API-key connection, or oauthClientSecret (and optionally oauthClientId) for an OAuth app." },
);
export type RotateCredentialInput = z.infer<typeof rotateCredentialInput>;

export const connectionIdInput = z.strictObject({ connectionId: id("Connection") });
export type ConnectionIdInput = z.infer<typeof connectionIdInput>;
