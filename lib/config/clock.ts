/**
 * The portal's clock. In a deployment it is the machine's. Tests and the demo on a loopback portal may set
 * PORTAL_CLOCK_FILE: a file holding `{"offsetMs": n}` that moves every server-side "now" that decides
 * something (expiries, undecided-request timeouts, reminders, scheduled changes) by n ms, so a test moves
 * the portal's time the way it moves the simulator's, without waiting and without an HTTP endpoint.
 */
import { readFileSync, statSync } from "node:fs";
import { env } from "./env";

let file: string | null | undefined;
let cached = { mtimeMs: -1, offsetMs: 0, checkedAt: 0 };

function clockFile(): string | null {
  if (file === undefined) {
    try {
      file = env().portalClockFile ?? null;
    } catch {
      file = null;
    }
  }
  return file;
}

/** The offset the clock file holds (0 without one; re-read when the file changes, at most every 200 ms). */
export function portalClockOffsetMs(): number {
  const path = clockFile();
  if (!path) return 0;
  const real = Date.now();
  if (real - cached.checkedAt < 200) return cached.offsetMs;
  try {
    const { mtimeMs } = statSync(path);
    if (mtimeMs !== cached.mtimeMs) {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as { offsetMs?: unknown };
      cached = { mtimeMs, offsetMs: typeof parsed.offsetMs === "number" && Number.isFinite(parsed.offsetMs) ? parsed.offsetMs : 0, checkedAt: real };
    } else cached.checkedAt = real;
  } catch {
    cached = { mtimeMs: -1, offsetMs: 0, checkedAt: real };
  }
  return cached.offsetMs;
}

export const portalNow = (): number => Date.now() + portalClockOffsetMs();

/** For tests that change PORTAL_CLOCK_FILE within one process. */
export function resetPortalClock(): void {
  file = undefined;
  cached = { mtimeMs: -1, offsetMs: 0, checkedAt: 0 };
}
