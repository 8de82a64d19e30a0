/**
 * The portal's controllable clock (lib/config/clock.ts): PORTAL_CLOCK_FILE moves every server-side "now"
 * that decides something, for tests and the demo on loopback only; a deployment cannot set it.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { portalClockOffsetMs, resetPortalClock } from "@/lib/config/clock";
import { parseEnv } from "@/lib/config/env";
import { pipelineOptions } from "@/lib/changes/options";
import { DEPLOYMENT_ENV } from "../auth/support/config";

const dir = mkdtempSync(join(tmpdir(), "portal-clock-"));
const file = join(dir, "clock.json");
const saved = { ...process.env };

afterAll(() => {
  process.env = saved;
  resetPortalClock();
  rmSync(dir, { recursive: true, force: true });
});

function setOffset(offsetMs: number, mtime: number) {
  writeFileSync(file, JSON.stringify({ offsetMs }));
  // A distinct modification time per write: the clock re-reads the file when it changes.
  utimesSync(file, mtime, mtime);
}

describe("portal clock", () => {
  it("is refused beside a NEXTAUTH_URL that is not loopback", () => {
    expect(() => parseEnv({ ...DEPLOYMENT_ENV, NEXTAUTH_URL: "https://access.example.com", PORTAL_CLOCK_FILE: file })).toThrow(/PORTAL_CLOCK_FILE moves the portal's clock.*not a loopback address/);
    expect(parseEnv({ ...DEPLOYMENT_ENV, NEXTAUTH_URL: "http://127.0.0.1:3100", PORTAL_CLOCK_FILE: file }).portalClockFile).toBe(file);
  });

  it("follows the file's offset, and the pipeline's clock follows the portal's", () => {
    Object.assign(process.env, { DEMO_MODE: "true", NEXTAUTH_URL: "http://127.0.0.1:3100", PORTAL_CLOCK_FILE: file });
    // env() is read on the clock's first use, which comes after this point in this file.
    setOffset(2 * 3_600_000, 1_000);
    resetPortalClock();
    expect(portalClockOffsetMs()).toBe(2 * 3_600_000);
    const before = Date.now();
    expect(pipelineOptions().now() - before).toBeGreaterThanOrEqual(2 * 3_600_000 - 1_000);

    setOffset(-5_000, 2_000);
    resetPortalClock();
    expect(portalClockOffsetMs()).toBe(-5_000);

    writeFileSync(file, "not json");
    utimesSync(file, 3_000, 3_000);
    resetPortalClock();
    expect(portalClockOffsetMs()).toBe(0);
  });
});
