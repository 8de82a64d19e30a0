import { z } from "zod";
import { text } from "@/lib/validation/text";
import { PersonStatus, PortalRole } from "@/lib/generated/prisma/client";

const id = text({ error: "personId must be a person's id (text)." })
  .trim()
  .min(1, "personId is required.")
  .max(64, "personId is too long to be a person's id.");

export const reason = text({ error: "A reason is required (text, 3–500 characters)." })
  .trim()
  .min(3, "Give a reason of at least 3 characters.")
  .max(500, "Keep the reason under 500 characters.");

const role = z.enum([PortalRole.ADMIN, PortalRole.AUDITOR, PortalRole.MEMBER], {
  error: "Each role must be one of ADMIN, AUDITOR or MEMBER.",
});

export const setRolesInput = z.object({
  personId: id,
  roles: z.array(role, { error: "roles must be a list of ADMIN, AUDITOR and/or MEMBER." }).max(3, "A person has at most 3 roles."),
});

export const deactivateInput = z.object({ personId: id, reason });
export const reactivateInput = z.object({ personId: id, reason });

export const listPeopleFilters = z.object({
  query: text().trim().max(200, "Search text is limited to 200 characters.").optional(),
  role: role.optional(),
  status: z.enum([PersonStatus.ACTIVE, PersonStatus.DEACTIVATED], { error: "status must be ACTIVE or DEACTIVATED." }).optional(),
});

export type SetRolesInput = z.infer<typeof setRolesInput>;
export type DeactivateInput = z.infer<typeof deactivateInput>;
export type ReactivateInput = z.infer<typeof reactivateInput>;
export type ListPeopleFilters = z.input<typeof listPeopleFilters>;
