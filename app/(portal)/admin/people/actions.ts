"use server";

import { revalidatePath } from "next/cache";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { getDb } from "@/lib/db";
import { deactivateInput, reactivateInput, setRolesInput } from "@/lib/people/schemas";
import { deactivate, reactivate, setRoles } from "@/lib/people/service";

const setRolesAction = defineAction({
  name: "people.setRoles",
  input: setRolesInput,
  permission: "person.manage",
  run: async ({ actor, input, requestId, clientIp }) => {
    const result = await setRoles(await getDb(), actor, input, { requestId, clientIp });
    return result.changed;
  },
  message: (changed) => (changed ? "Roles saved." : "Nothing to change: the person already has these roles."),
});

const deactivateAction = defineAction({
  name: "people.deactivate",
  input: deactivateInput,
  permission: "person.manage",
  run: async ({ actor, input, requestId, clientIp }) => deactivate(await getDb(), actor, input, { requestId, clientIp }),
  message: ({ sessionsEnded }) => `Deactivated. ${sessionsEnded === 1 ? "1 open session was" : `${sessionsEnded} open sessions were`} ended.`,
});

const reactivateAction = defineAction({
  name: "people.reactivate",
  input: reactivateInput,
  permission: "person.manage",
  run: async ({ actor, input, requestId, clientIp }) => reactivate(await getDb(), actor, input, { requestId, clientIp }),
  message: "Reactivated. They can sign in again.",
});

function done<T>(result: ActionResult<T>): ActionResult {
  if (!result.ok) return result;
  revalidatePath("/admin/people");
  return result.message === undefined ? { ok: true, data: undefined } : { ok: true, data: undefined, message: result.message };
}

/** {personId, roles}: MEMBER is always kept; nobody removes their own ADMIN; the last active admin keeps it. */
export async function setPersonRoles(raw: unknown): Promise<ActionResult> {
  return done(await setRolesAction(raw));
}

/** {personId, reason}: ends every session of that person at once. Not yourself, not the last active admin. */
export async function deactivatePerson(raw: unknown): Promise<ActionResult> {
  return done(await deactivateAction(raw));
}

/** {personId, reason}: they may sign in again (with the roles they had). */
export async function reactivatePerson(raw: unknown): Promise<ActionResult> {
  return done(await reactivateAction(raw));
}
