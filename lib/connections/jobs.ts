/**
 * The connections' job, registered for every worker through lib/jobs/handlers.ts: credential rotation
 * reminders to each connection's owner, every hour (each reminder is sent once, so the rate only bounds
 * how late one can be).
 */
import { ensureSchedule, registerJob } from "@/lib/jobs/registry";
import { ROTATION_REMINDER_JOB, rotationReminderTick } from "./rotation";

registerJob(ROTATION_REMINDER_JOB, async (_payload, { db }) => rotationReminderTick(db), { maxAttempts: 3, timeoutMs: 10 * 60_000 });

ensureSchedule("connections.rotation_reminders.hourly", ROTATION_REMINDER_JOB, 60 * 60);
