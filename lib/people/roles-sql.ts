import "server-only";
import type { DbOrTx } from "@/lib/db";
import type { PortalRole } from "@/lib/generated/prisma/client";

// Prisma's array filters (`has`, `hasSome`) on enum arrays fail through the PGlite driver adapter
// ("malformed array literal"), so role membership is asked in SQL, which both runtimes answer alike.

/** Ids of people holding `role` (optionally only ACTIVE ones, optionally leaving one person out). */
export async function personIdsWithRole(db: DbOrTx, role: PortalRole, opts: { activeOnly?: boolean; excludeId?: string } = {}): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Person"
    WHERE ${role}::"PortalRole" = ANY("roles")
      AND (${opts.activeOnly ?? false} = false OR "status" = 'ACTIVE')
      AND "id" <> ${opts.excludeId ?? ""}`;
  return rows.map((r) => r.id);
}
