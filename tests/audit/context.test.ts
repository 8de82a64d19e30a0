import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contextFromHeaders, requestContext, verifyAuditChain } from "@/lib/audit";
import { CLIENT_CHAIN_HEADER } from "@/lib/audit/context";
import { createTestDb } from "../support/db";

describe("requestContext", () => {
  it("returns nulls outside a request instead of throwing", async () => {
    expect(await requestContext()).toEqual({ requestId: null, clientIp: null });
  });

  it("takes x-request-id, and the client address only from the chain this server recorded (client-ip.test.ts: the hop table)", () => {
    const h = new Headers({ "x-request-id": "req-abc", "x-forwarded-for": "203.0.113.7", "x-real-ip": "10.0.0.2", [CLIENT_CHAIN_HEADER]: "203.0.113.7, 10.0.0.1" });
    expect(contextFromHeaders(h, { trustedProxyHops: 0, chainTrusted: true })).toEqual({ requestId: "req-abc", clientIp: "10.0.0.1" });
    // Without the server's hook the chain header could be anyone's: no address rather than a forged one.
    expect(contextFromHeaders(h, { trustedProxyHops: 0, chainTrusted: false }).clientIp).toBeNull();
  });

  it("generates one request id per request when none (or a malformed one) is given", () => {
    const h = new Headers({ "x-request-id": "bad id\twith control chars" });
    const first = contextFromHeaders(h).requestId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(contextFromHeaders(h).requestId).toBe(first); // stable within the request
    expect(contextFromHeaders(new Headers()).requestId).not.toBe(first);
  });
});

// Two processes, each with four concurrent writers, append to one chain on PostgreSQL.
if (process.env.TEST_DATABASE_URL) {
  describe("appends from two processes", () => {
    it("form one unbroken chain", async () => {
      const t = await createTestDb({ install: false });
      try {
        const root = path.resolve(import.meta.dirname, "../..");
        const run = (label: string) =>
          new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, ["--import", "tsx", "tests/audit/fixtures/append-process.ts", t.url!, label, "100"], { cwd: root, stdio: "inherit" });
            child.on("exit", resolve);
          });
        expect(await Promise.all([run("proc.a"), run("proc.b")])).toEqual([0, 0]);
        expect(await verifyAuditChain(t.prisma)).toMatchObject({ ok: true, events: 200 });
        const labels = await t.prisma.auditEvent.groupBy({ by: ["actorLabel"], _count: true, orderBy: { actorLabel: "asc" } });
        expect(labels.map((l) => [l.actorLabel, l._count])).toEqual([["job:proc.a", 100], ["job:proc.b", 100]]);
      } finally {
        await t.close();
      }
    });
  });
}
