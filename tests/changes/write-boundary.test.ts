/**
 * One path to PagerDuty writes (architecture invariant 1): no module outside lib/changes calls a PagerDuty
 * write endpoint. The scan runs once over the real source tree with planted violations in a temporary folder
 * under lib/ (removed again right after), so the same run proves the tree is clean AND that the scan sees
 * each way around the pipeline: the writes namespace, an alias of it, a raw request, the raw transport, fetch.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanForPagerDutyWrites, type Violation } from "./write-boundary";

const root = path.resolve(import.meta.dirname, "../..");
const plantedDir = `lib/zz-write-boundary-probe-${randomBytes(4).toString("hex")}`;

const PLANTED: Record<string, string> = {
  "direct.ts": `import type { PagerDutyClient } from "@/lib/pagerduty";
export async function leaver(client: PagerDutyClient) {
  await client.writes.deleteUser("PLEAVER");
}
`,
  "alias.ts": `import type { PagerDutyClient } from "@/lib/pagerduty";
export async function quietly(client: PagerDutyClient) {
  const { writes: w } = client;
  await w.putTeamMember("PTEAM", "PUSER", "manager");
}
`,
  "raw.ts": `import type { PagerDutyClient } from "@/lib/pagerduty";
import { Executor } from "@/lib/pagerduty/http";
export const executor: typeof Executor | null = null;
export async function raw(client: PagerDutyClient) {
  await client.request({ method: "DELETE", route: "/users/{id}", params: { id: "PRAW" } });
  await fetch("https://api.pagerduty.com/users/PRAW", { method: "DELETE", headers: { Authorization: "Token token=x" } });
}
`,
  // Must NOT be reported: reads, a same-origin POST, and a "writes" that is not the client's.
  "innocent.ts": `import type { PagerDutyClient } from "@/lib/pagerduty";
export async function innocent(client: PagerDutyClient) {
  const queue = { writes: [] as string[] };
  queue.writes.push("row");
  await client.getUser("PREAD");
  await client.request({ method: "GET", route: "/abilities" });
  await fetch("/api/jobs/health", { method: "POST" });
  return queue;
}
`,
};

let violations: Violation[];

beforeAll(() => {
  const dir = path.join(root, plantedDir);
  try {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(PLANTED)) writeFileSync(path.join(dir, name), text);
    violations = scanForPagerDutyWrites(root);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
afterAll(() => rmSync(path.join(root, plantedDir), { recursive: true, force: true }));

describe("one path to PagerDuty writes", () => {
  it("no module outside lib/changes calls a PagerDuty write endpoint", () => {
    expect(violations.filter((v) => !v.file.startsWith(`${plantedDir}/`))).toEqual([]);
  });

  it("the scan catches each planted way around the pipeline, and nothing innocent", () => {
    const planted = violations.filter((v) => v.file.startsWith(`${plantedDir}/`)).map((v) => `${path.basename(v.file)}:${v.line} ${v.rule}`);
    expect(planted.sort()).toEqual(
      [
        "direct.ts:3 writes-namespace",
        "direct.ts:3 write-method",
        "alias.ts:3 writes-namespace",
        "alias.ts:4 write-method",
        "raw.ts:2 bypass-import",
        "raw.ts:5 raw-request",
        "raw.ts:6 raw-fetch",
      ].sort(),
    );
  });
});
