"use server";

import { revalidatePath } from "next/cache";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { getDb } from "@/lib/db";
import { setAlias, type AliasOutcome } from "@/lib/pagerduty-data/aliases";
import { setAliasInput } from "@/lib/pagerduty-data/schemas";

const MESSAGES: Record<AliasOutcome, string> = {
  set: "Alias set: the person is matched to that PagerDuty user.",
  changed: "Alias changed.",
  removed: "Alias removed: the person is matched by email again, if the emails agree.",
  unchanged: "Nothing to change: the alias is already like this.",
};

const aliasAction = defineAction({
  name: "pagerduty.setAlias",
  input: setAliasInput,
  permission: "pagerduty.manage",
  run: async ({ actor, input, requestId, clientIp }) => setAlias(await getDb(), actor, input, { requestId, clientIp }),
  message: (outcome) => MESSAGES[outcome],
});

/** {connectionId, personId, pdUserId (null: remove the alias)}: this person is that PagerDuty user. */
export async function setPagerDutyAlias(raw: unknown): Promise<ActionResult<AliasOutcome>> {
  const result = await aliasAction(raw);
  if (result.ok) {
    revalidatePath("/pagerduty", "layout");
  }
  return result;
}
