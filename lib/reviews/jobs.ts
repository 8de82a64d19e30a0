/**
 * The reviews' job, registered for every worker through lib/jobs/handlers.ts: reminders, overdue
 * escalation, recurrence and remediation mirroring, every minute.
 */
import { ensureSchedule, registerJob } from "@/lib/jobs/registry";
import { REVIEW_TICK_JOB, reviewTick } from "./schedule";

registerJob(REVIEW_TICK_JOB, async (_payload, { db }) => reviewTick(db), { maxAttempts: 3, timeoutMs: 10 * 60_000 });

ensureSchedule("reviews.tick.every_minute", REVIEW_TICK_JOB, 60);
