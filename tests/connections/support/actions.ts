import type { ConnectionActionResult } from "@/app/(portal)/admin/connections/actions";
import type { ConnectionDto } from "@/lib/connections/dto";
import type { Db } from "@/lib/db";
import { request } from "../../auth/support/request";
import { signInAs } from "../../auth/support/fixtures";

/** A fresh request signed in as this person (the actions read the session from the request). */
export async function signInFresh(db: Db, personId: string): Promise<void> {
  request.reset();
  await signInAs(db, personId);
}

/** The connection an action returned, or the action's error as a thrown one. */
export function okConnection(result: ConnectionActionResult): ConnectionDto {
  if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
  return result.data;
}
