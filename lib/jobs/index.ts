export { registerJob, ensureSchedule, unregisterForTests, jobDefinition, registeredJobNames, declaredSchedules, type JobContext, type JobHandler, type JobOptions, type BackoffPolicy } from "./registry";
export { enqueue, retryDelayMs, syncSchedules, enqueueDueSchedules, type EnqueueOptions, type Enqueued } from "./queue";
export { Worker, PermanentJobError, JobTimeoutError, type WorkerOptions, type WorkerLog } from "./worker";
export { runWorkerProcess } from "./process";
