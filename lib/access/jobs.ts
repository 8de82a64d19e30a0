/** The access tick, registered for every worker through lib/jobs/handlers.ts. */
import { ensureSchedule, registerJob } from "@/lib/jobs/registry";
import { ACCESS_TICK_JOB, accessTick } from "./tick";

registerJob(ACCESS_TICK_JOB, async (_payload, { db }) => accessTick(db), { maxAttempts: 1, timeoutMs: 10 * 60_000, urgent: true });

ensureSchedule("access.tick.every_5s", ACCESS_TICK_JOB, 5);
