import { z } from "zod";
import { text } from "@/lib/validation/text";
import { BASE_ROLE_VALUES } from "./roles";

const pdId = (what: string) =>
  text({ error: `${what} is required.` })
    .trim()
    .min(1, `${what} is required.`)
    .max(64, `${what} is not a valid id.`)
    .regex(/^[A-Za-z0-9_-]+$/, `${what} is not a valid id.`);

/** Filters of the PagerDuty users page (from the query string; all optional). */
export const pdUserFilters = z.strictObject({
  connection: pdId("Connection").optional(),
  q: text().trim().max(100, "Search must be at most 100 characters.").optional(),
  role: z.enum(BASE_ROLE_VALUES, { error: "Unknown base role." }).optional(),
  team: pdId("Team").optional(),
  unmatched: z.literal("1", { error: "unmatched must be 1." }).optional(),
});
export type PdUserFilters = z.infer<typeof pdUserFilters>;

/** Set the alias: this person is that PagerDuty user on that connection (pdUserId null: remove the alias). */
export const setAliasInput = z.strictObject({
  connectionId: pdId("Connection"),
  personId: pdId("Person"),
  pdUserId: pdId("PagerDuty user").nullable(),
});
export type SetAliasInput = z.infer<typeof setAliasInput>;
