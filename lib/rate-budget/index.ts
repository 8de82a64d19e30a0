/**
 * The PagerDuty rate budget shared by every process on one PostgreSQL database. `installSharedRateBudgets`
 * makes every PagerDuty client built afterwards in this process draw from the database (lib/db calls it for
 * PostgreSQL); without it (PGlite, one process) the in-process RateBudget stays.
 */
import type { Db } from "@/lib/db/client";
import { setRateBudgetFactory } from "@/lib/pagerduty";
import { SharedRateBudget, type SharedRateBudgetOptions } from "./shared";

export { SharedRateBudget, type SharedRateBudgetOptions, type SharedRateBudgetStats } from "./shared";

export function installSharedRateBudgets(db: Db, options: SharedRateBudgetOptions = {}): void {
  let lastWarning = 0;
  const onError =
    options.onError ??
    ((error: unknown) => {
      // Requests wait while the database cannot hand out tokens; say so, at most once a minute.
      if (Date.now() - lastWarning < 60_000) return;
      lastWarning = Date.now();
      console.warn(`[pagerduty] the shared rate budget could not be reached; requests wait until it can: ${error instanceof Error ? error.message : String(error)}`);
    });
  setRateBudgetFactory((fingerprint, budgetOptions) => new SharedRateBudget(db, fingerprint, { ...budgetOptions, ...options, onError }));
}

/** Back to in-process budgets (tests). */
export function uninstallSharedRateBudgets(): void {
  setRateBudgetFactory(null);
}
