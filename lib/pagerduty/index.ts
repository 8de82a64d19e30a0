/**
 * Public surface of the PagerDuty client. Import from "@/lib/pagerduty" only.
 */
export { createPagerDutyClient, DEFAULT_TIMEOUT_MS } from "./client";
export type {
  PagerDutyClient,
  PagerDutyClientOptions,
  PagerDutyWrites,
  ListUsersOptions,
  AuditRecordQuery,
  OncallQuery,
  NewUser,
  NewOverride,
  UserInclude,
  ScheduleInclude,
  EscalationPolicyInclude,
  AuditResourceType,
} from "./client";
export { checkCredential, type CredentialCheck, type AccessLevel } from "./check";
export { PagerDutyError, isPagerDutyError, type PagerDutyErrorKind } from "./errors";
export { RateBudget, WaitingLine, sharedRateBudget, setRateBudgetFactory, pauseMsAfter429, credentialFingerprint, DEFAULT_RATE_LIMIT, DEFAULT_WINDOW_MS, type RateBudgetOptions, type RateBudgetStats, type RequestBudget, type RateObservation, type RateBudgetFactory } from "./budget";
export { API_BASE_URLS, TOKEN_URLS, oauthScope, type PagerDutyCredential, type PagerDutyRegion } from "./auth";
export type { RequestInfo, RetryOptions } from "./http";
export { OFFSET_CAP, MAX_PAGE_SIZE, type Listing } from "./pagination";
export * from "./schemas";
