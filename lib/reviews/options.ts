/**
 * Settings of access reviews that tests and the demo replace: the clock (reminders, overdue escalation,
 * recurrence and delegation windows follow it, so simulated time drives them), the SMTP transport for
 * reminder e-mails, and the thresholds of the rules.
 */
import { portalNow } from "@/lib/config/clock";
import { overridableSettings } from "@/lib/config/overridable";

export interface ReviewOptions {
  now: () => number;
  /** SMTP server URL for reminder e-mails (e.g. smtp://127.0.0.1:2525); null: e-mail off, in-app only. */
  smtpUrl: string | null;
  mailFrom: string;
  /** Base URL of the portal in e-mails. */
  portalUrl: string;
  /** Reminders go out this many hours before the due date. */
  dueSoonHours: number;
  /** Overdue items move to the fallback reviewer this many hours after the due date. */
  escalateAfterHours: number;
  /** Synced data older than this many hours is stale (launch gate). */
  staleAfterHours: number;
  /** Rubber stamp: at least this many certifications… */
  rubberStampMinItems: number;
  /** …decided faster than this many seconds per item on average, or 100% certified of a set this large. */
  rubberStampSecondsPerItem: number;
  rubberStampAllCertifiedMin: number;
}

const DEFAULTS: ReviewOptions = {
  now: portalNow,
  smtpUrl: null,
  mailFrom: "PagerDuty Access Portal <reviews@localhost>",
  portalUrl: "http://localhost:3000",
  dueSoonHours: 72,
  escalateAfterHours: 48,
  staleAfterHours: 24,
  rubberStampMinItems: 10,
  rubberStampSecondsPerItem: 2,
  rubberStampAllCertifiedMin: 25,
};

const settings = overridableSettings(DEFAULTS, (e) => ({ smtpUrl: e.smtpUrl ?? null, mailFrom: e.mailFrom, portalUrl: e.authUrl }));

/** Defaults from the environment (lib/config/env.ts), read on first use. */
export const reviewOptions = settings.get;

/** Replaces some settings (tests, demo); `configureReviews()` with no argument restores the defaults. */
export const configureReviews = settings.configure;

export const reviewNow = (): Date => new Date(reviewOptions().now());
