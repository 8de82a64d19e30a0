/**
 * Settings of just-in-time access that tests, the benchmark and the demo replace: the clock (expiries,
 * undecided-request timeouts, reminders and escalation follow it), e-mail, and the portal URL in e-mails.
 */
import { portalNow } from "@/lib/config/clock";
import { overridableSettings } from "@/lib/config/overridable";

export interface AccessOptions {
  now: () => number;
  /** SMTP server URL for notification e-mails; null: in-app only. */
  smtpUrl: string | null;
  mailFrom: string;
  portalUrl: string;
  /** Expiries handled per tick (the rest on the next one, at once). */
  expiryBatch: number;
}

const DEFAULTS: AccessOptions = { now: portalNow, smtpUrl: null, mailFrom: "PagerDuty Access Portal <access@localhost>", portalUrl: "http://localhost:3000", expiryBatch: 200 };

const settings = overridableSettings(DEFAULTS, (e) => ({ smtpUrl: e.smtpUrl ?? null, mailFrom: e.mailFrom, portalUrl: e.authUrl }));

export const accessOptions = settings.get;
export const configureAccess = settings.configure;
export const accessNow = (): Date => new Date(accessOptions().now());
