/**
 * Public surface of the change pipeline: the one path by which the portal writes to PagerDuty.
 * Callers create changes with `createChanges(tx, …)` inside the transaction of their cause.
 */
export { createChanges, ChangeRefused, CoverageDecisionNeeded, type CreateChangesInput, type CreatedChanges, type CreatedChange, type ChangeInput, type CoverageDecision } from "./create";
export { approveBatch, rejectBatch, retryChange, cancelChange, undoChange, inverseOf } from "./admin";
export { runChange, ChangeTakenOverError, type RunOutcome } from "./execute";
export { sweepChanges, APPLY_CHANGE_JOB, SWEEP_CHANGES_JOB } from "./queue";
export { configurePipeline, pipelineOptions, type PipelineOptions } from "./options";
export { coverageWarning, type CoverageWarning } from "./coverage";
export { brakeReason, changeSettings, DEFAULT_SETTINGS, type ChangeSettings } from "./brake";
export { changeSpecSchema, type ChangeSpec, type Cause, type Requester, type Desired } from "./types";
export { batchPreview, type BatchPreview, type ChangeRow } from "./preview";
