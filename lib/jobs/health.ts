import "server-only";
import { authorize } from "@/lib/auth/access";
import { getDb } from "@/lib/db";

export interface JobHealth {
  queued: number;
  running: number;
  failed24h: number;
  succeeded24h: number;
  oldestQueuedAt: string | null;
}

/** Queue health for the dashboard (Admins and Auditors). */
export async function jobHealth(): Promise<JobHealth> {
  await authorize("jobs.read");
  const db = await getDb();
  const since = new Date(Date.now() - 86_400_000);
  const [queued, running, failed24h, succeeded24h, oldest] = await Promise.all([
    db.job.count({ where: { status: "QUEUED" } }),
    db.job.count({ where: { status: "RUNNING" } }),
    db.job.count({ where: { status: "FAILED", finishedAt: { gte: since } } }),
    db.job.count({ where: { status: "SUCCEEDED", finishedAt: { gte: since } } }),
    db.job.findFirst({ where: { status: "QUEUED", runAt: { lte: new Date() } }, orderBy: { runAt: "asc" }, select: { runAt: true } }),
  ]);
  return { queued, running, failed24h, succeeded24h, oldestQueuedAt: oldest?.runAt.toISOString() ?? null };
}
