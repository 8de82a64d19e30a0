/**
 * The pipeline's jobs, registered for every worker through lib/jobs/handlers.ts.
 */
import { z } from "zod";
import { ensureSchedule, registerJob } from "@/lib/jobs/registry";
import { ChangeTakenOverError, runChange } from "./execute";
import { pipelineOptions } from "./options";
import { APPLY_CHANGE_JOB, SWEEP_CHANGES_JOB, sweepChanges } from "./queue";

registerJob(
  APPLY_CHANGE_JOB,
  async ({ changeId }, ctx) => {
    try {
      return { outcome: await runChange(ctx.db, changeId, { attempt: ctx.attempt, maxAttempts: ctx.maxAttempts, signal: ctx.signal }) };
    } catch (error) {
      // A newer attempt owns the change and records its outcome; this one wrote nothing and has nothing to retry.
      if (error instanceof ChangeTakenOverError) return { outcome: "taken_over" };
      throw error;
    }
  },
  // Longer outages: the job retries with backoff (the client already retried each request, and the
  // executor re-read and re-tried the write a few times within the attempt).
  { schema: z.object({ changeId: z.string().min(1) }), maxAttempts: 8, backoff: { baseMs: 2_000, maxMs: 5 * 60_000 }, timeoutMs: 10 * 60_000 },
);

registerJob(SWEEP_CHANGES_JOB, async (_payload, { db }) => ({ enqueued: await db.$transaction((tx) => sweepChanges(tx, new Date(pipelineOptions().now()))) }), { maxAttempts: 1, urgent: true });

ensureSchedule("changes.sweep.every_15s", SWEEP_CHANGES_JOB, 15);
