"use server";

import { revalidatePath } from "next/cache";
import { createCatalogItem as create, createGroup, setGroupMember, setItemRetired, updatePolicy as update } from "@/lib/access/catalog";
import { catalogItemInput, groupInput, groupMemberInput, retireItemInput, updatePolicyInput } from "@/lib/access/schemas";
import { defineAction, type ActionResult } from "@/lib/auth/action";
import { getDb } from "@/lib/db";

const createAction = defineAction({ name: "access.createCatalogItem", input: catalogItemInput, permission: "policy.manage", run: async ({ actor, input }) => create(await getDb(), actor, input), message: "Catalog item added with policy version 1: people can request it now." });
const updateAction = defineAction({ name: "access.updatePolicy", input: updatePolicyInput, permission: "policy.manage", run: async ({ actor, input }) => update(await getDb(), actor, input), message: ({ version }) => `Policy saved as version ${version}. Open requests keep the version they were made under.` });
const retireAction = defineAction({ name: "access.setCatalogItemRetired", input: retireItemInput, permission: "policy.manage", run: async ({ actor, input }) => setItemRetired(await getDb(), actor, input), message: "Saved." });
const groupAction = defineAction({ name: "access.createGroup", input: groupInput, permission: "policy.manage", run: async ({ actor, input }) => createGroup(await getDb(), actor, input), message: "Group created: add its members." });
const memberAction = defineAction({ name: "access.setGroupMember", input: groupMemberInput, permission: "policy.manage", run: async ({ actor, input }) => setGroupMember(await getDb(), actor, input), message: "Group membership saved." });

function done<T>(result: ActionResult<T>): ActionResult<T> {
  if (result.ok) {
    revalidatePath("/admin/policies");
    revalidatePath("/requests", "layout");
  }
  return result;
}

/** {connectionId, kind, teamPdId?, role, fromRoles, name, description, rules, reason?}: a catalog item with policy version 1. */
export async function createCatalogItem(raw: unknown): Promise<ActionResult<{ itemId: string }>> {
  return done(await createAction(raw));
}

/** {itemId, baseVersion, rules, reason}: a new policy version; refused when the item changed since baseVersion. */
export async function updatePolicy(raw: unknown): Promise<ActionResult<{ version: number }>> {
  return done(await updateAction(raw));
}

/** {itemId, retired, reason}: stop offering an item (its requests stay), or offer it again. */
export async function setCatalogItemRetired(raw: unknown): Promise<ActionResult<void>> {
  return done(await retireAction(raw));
}

/** {name, description}: a portal group (approvers; "approvals from different groups"). */
export async function createPortalGroup(raw: unknown): Promise<ActionResult<{ groupId: string }>> {
  return done(await groupAction(raw));
}

/** {groupId, personId, add}: adds a person to a group or removes them. */
export async function setPortalGroupMember(raw: unknown): Promise<ActionResult<void>> {
  return done(await memberAction(raw));
}
