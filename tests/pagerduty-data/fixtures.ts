import type { Db } from "@/lib/db";

let counter = 0;

/** A synced PagerDuty user row, written as a sync would write it. */
export async function insertPdUser(db: Db, connectionId: string, opts: { pdId?: string; email?: string; name?: string; role?: string; removed?: boolean } = {}) {
  const n = ++counter;
  const pdId = opts.pdId ?? `PU${Date.now().toString(36).toUpperCase()}${n}`;
  const email = opts.email ?? `pd.user.${n}@example.com`;
  const now = new Date();
  return db.pdUser.create({
    data: {
      connectionId,
      pdId,
      name: opts.name ?? `PagerDuty User ${n}`,
      email,
      emailLower: email.toLowerCase(),
      role: opts.role ?? "limited_user",
      firstSeenAt: now,
      lastSeenAt: now,
      removedAt: opts.removed ? now : null,
    },
  });
}
