/**
 * The shapes the portal reads, after PagerDuty's OpenAPI schemas (shared/reference/pagerduty/openapiv3.json),
 * reduced to the fields the portal uses. Validation is deliberately lenient: unknown fields are dropped,
 * optional fields may be absent or null, enums stay open strings (PagerDuty adds roles and abilities over
 * time; a new value must not break a sync), but a missing `id` or a list that is not a list is a clear
 * `invalid_response` error naming the path, not a crash three modules later.
 */
import { z } from "zod";

const optionalString = z.string().nullish().transform((value) => value ?? undefined);

export const referenceSchema = z.object({
  id: z.string().min(1),
  type: z.string().optional(),
  summary: optionalString,
  self: optionalString,
  html_url: optionalString,
});
export type PdReference = z.infer<typeof referenceSchema>;

/** PagerDuty's base roles (API values; NOTES §2.1 maps them to UI names). */
export const PD_USER_ROLES = [
  "owner",
  "admin",
  "user",
  "limited_user",
  "observer",
  "restricted_access",
  "read_only_user",
  "read_only_limited_user",
] as const;
export type PdUserRole = (typeof PD_USER_ROLES)[number];
export const PD_TEAM_ROLES = ["observer", "responder", "manager"] as const;
export type PdTeamRole = (typeof PD_TEAM_ROLES)[number];

const references = z.array(referenceSchema).nullish().transform((value) => value ?? []);

export const userSchema = z.object({
  id: z.string().min(1),
  type: z.string().optional(),
  name: z.string(),
  email: z.string(),
  role: z.string(),
  time_zone: optionalString,
  job_title: optionalString,
  description: optionalString,
  html_url: optionalString,
  avatar_url: optionalString,
  invitation_sent: z.boolean().nullish().transform((value) => value ?? undefined),
  created_via_sso: z.boolean().nullish().transform((value) => value ?? undefined),
  /** Present with `include[]=teams` or on single-user answers. */
  teams: references,
});
export type PdUser = z.infer<typeof userSchema>;

export const teamSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: optionalString,
  default_role: optionalString,
  summary: optionalString,
  html_url: optionalString,
  parent: referenceSchema.nullish().transform((value) => value ?? undefined),
});
export type PdTeam = z.infer<typeof teamSchema>;

export const teamMemberSchema = z.object({
  user: referenceSchema,
  role: z.string(),
});
export type PdTeamMember = z.infer<typeof teamMemberSchema>;

const scheduleLayerSchema = z.object({
  id: optionalString,
  name: optionalString,
  start: optionalString,
  end: optionalString,
  users: z
    .array(z.object({ user: referenceSchema }))
    .nullish()
    .transform((value) => value ?? []),
});

const renderedEntrySchema = z.object({
  start: z.string(),
  end: z.string(),
  user: referenceSchema.nullish().transform((value) => value ?? undefined),
});

export const scheduleSchema = z.object({
  id: z.string().min(1),
  type: z.string().optional(),
  name: z.string(),
  summary: optionalString,
  time_zone: optionalString,
  description: optionalString,
  html_url: optionalString,
  users: references,
  teams: references,
  escalation_policies: references,
  schedule_layers: z.array(scheduleLayerSchema).nullish().transform((value) => value ?? undefined),
  final_schedule: z
    .object({ rendered_schedule_entries: z.array(renderedEntrySchema).nullish().transform((value) => value ?? []) })
    .nullish()
    .transform((value) => value ?? undefined),
});
export type PdSchedule = z.infer<typeof scheduleSchema>;

export const oncallSchema = z.object({
  user: referenceSchema,
  schedule: referenceSchema.nullish().transform((value) => value ?? undefined),
  escalation_policy: referenceSchema,
  escalation_level: z.number().int(),
  /** null for permanent on-calls (a user who is a direct escalation target). */
  start: z.string().nullish().transform((value) => value ?? null),
  end: z.string().nullish().transform((value) => value ?? null),
});
export type PdOncall = z.infer<typeof oncallSchema>;

export const escalationPolicySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  summary: optionalString,
  description: optionalString,
  html_url: optionalString,
  num_loops: z.number().nullish().transform((value) => value ?? undefined),
  escalation_rules: z
    .array(
      z.object({
        id: optionalString,
        escalation_delay_in_minutes: z.number().nullish().transform((value) => value ?? undefined),
        targets: references,
      }),
    )
    .nullish()
    .transform((value) => value ?? []),
  teams: references,
  services: references,
});
export type PdEscalationPolicy = z.infer<typeof escalationPolicySchema>;

export const licenseSchema = z.object({
  id: z.string().min(1),
  name: optionalString,
  description: optionalString,
  valid_roles: z.array(z.string()).nullish().transform((value) => value ?? []),
  role_group: optionalString,
  current_value: z.number().nullish().transform((value) => value ?? undefined),
  allocations_available: z.number().nullish().transform((value) => value ?? undefined),
});
export type PdLicense = z.infer<typeof licenseSchema>;

export const licenseAllocationSchema = z.object({
  user: referenceSchema,
  license: z.object({ id: z.string().min(1), name: optionalString, role_group: optionalString }),
  allocated_at: optionalString,
});
export type PdLicenseAllocation = z.infer<typeof licenseAllocationSchema>;

export const auditRecordSchema = z.object({
  id: z.string().min(1),
  execution_time: z.string(),
  execution_context: z
    .object({ request_id: optionalString, remote_address: optionalString })
    .nullish()
    .transform((value) => value ?? undefined),
  actors: references,
  method: z
    .object({ type: z.string(), truncated_token: optionalString, description: optionalString })
    .nullish()
    .transform((value) => value ?? undefined),
  root_resource: referenceSchema,
  action: z.string(),
  details: z
    .object({
      resource: referenceSchema.nullish().transform((value) => value ?? undefined),
      fields: z
        .array(z.object({ name: z.string(), description: optionalString, value: z.unknown().optional(), before_value: z.unknown().optional() }))
        .nullish()
        .transform((value) => value ?? []),
      references: z
        .array(z.object({ name: z.string(), description: optionalString, added: references, removed: references }))
        .nullish()
        .transform((value) => value ?? []),
    })
    .nullish()
    .transform((value) => value ?? undefined),
});
export type PdAuditRecord = z.infer<typeof auditRecordSchema>;

export const overrideSchema = z.object({
  id: z.string().min(1),
  start: z.string(),
  end: z.string(),
  user: referenceSchema.nullish().transform((value) => value ?? undefined),
});
export type PdOverride = z.infer<typeof overrideSchema>;

/** POST /schedules/{id}/overrides answers one status per requested override (a multi-status array). */
export const overrideResultSchema = z.object({
  status: z.number(),
  errors: z.array(z.string()).nullish().transform((value) => value ?? []),
  override: overrideSchema.nullish().transform((value) => value ?? undefined),
});
export type PdOverrideResult = z.infer<typeof overrideResultSchema>;

/**
 * Envelopes name their list after the resource (`users`, `members`, `records`…). The list is moved to
 * `items` before validation so one typed schema serves every endpoint; a validation error on it reads
 * `items.3.id` (the fourth record of the listing).
 */
function listUnder(key: string) {
  return (body: unknown) =>
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? { ...(body as Record<string, unknown>), items: (body as Record<string, unknown>)[key] }
      : body;
}

/** Classic (offset) list envelope around `key`. */
export function classicPageSchema<T extends z.ZodType>(key: string, item: T) {
  return z.preprocess(
    listUnder(key),
    z
      .object({ items: z.array(item), more: z.boolean().nullish(), total: z.number().nullish() })
      .transform((page) => ({ items: page.items, more: page.more === true, total: page.total ?? undefined })),
  );
}

/** Cursor list envelope (`records`, `next_cursor`). */
export function cursorPageSchema<T extends z.ZodType>(key: string, item: T) {
  return z.preprocess(
    listUnder(key),
    z
      .object({ items: z.array(item), next_cursor: z.string().nullish() })
      .transform((page) => ({ items: page.items, nextCursor: page.next_cursor ?? undefined })),
  );
}

/** A single wrapped entity, e.g. `{ "user": {...} }`. */
export function wrapped<T extends z.ZodType>(key: string, item: T) {
  return z.preprocess(
    (body: unknown) => (typeof body === "object" && body !== null ? { item: (body as Record<string, unknown>)[key] } : body),
    z.object({ item }).transform((body) => (body as { item: z.output<T> }).item),
  );
}
