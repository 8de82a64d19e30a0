import type { Page } from "@playwright/test";

/** Reloads `path` until `check` passes (background jobs: sync, change pipeline), polling every 2 s. */
export async function eventually(page: Page, path: string, check: () => Promise<void>, timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(path);
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await page.waitForTimeout(2_000);
    }
  }
}
