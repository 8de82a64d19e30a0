/**
 * The embedded database's buffer pool: resident memory for the portal's whole lifetime, so it is sized by
 * PGLITE_SHARED_BUFFERS (validated at boot), not PGlite's 128MB default.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/lib/config/env";
import { createDb, type DbHandle } from "@/lib/db/client";

const base = { DEMO_MODE: "true" };
const opened: DbHandle[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) await h.close();
});

async function sharedBuffers(handle: DbHandle): Promise<string> {
  opened.push(handle);
  const [row] = await handle.prisma.$queryRawUnsafe<{ shared_buffers: string }[]>("SHOW shared_buffers");
  return row!.shared_buffers;
}

describe("PGLITE_SHARED_BUFFERS", () => {
  it("defaults to 32MB and accepts PostgreSQL memory sizes", () => {
    expect(parseEnv(base).pgliteSharedBuffers).toBe("32MB");
    expect(parseEnv({ ...base, PGLITE_SHARED_BUFFERS: "64MB" }).pgliteSharedBuffers).toBe("64MB");
    expect(parseEnv({ ...base, PGLITE_SHARED_BUFFERS: "8192kB" }).pgliteSharedBuffers).toBe("8192kB");
  });

  it.each(["lots", "32", "-16MB", "32 MB", "0MB", "16MB; DROP TABLE x"])("rejects %j with a message that says what to write", (value) => {
    let error: unknown;
    try {
      parseEnv({ ...base, PGLITE_SHARED_BUFFERS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain("PGLITE_SHARED_BUFFERS must be a PostgreSQL memory size such as 16MB or 128MB");
  });

  it("starts the embedded PostgreSQL with the configured pool, and with 32MB when none is given", async () => {
    expect(await sharedBuffers(createDb({ kind: "pglite", dataDir: null, sharedBuffers: "8MB" }))).toBe("8MB");
    expect(await sharedBuffers(createDb({ kind: "pglite", dataDir: null }))).toBe("32MB");
  });
});
