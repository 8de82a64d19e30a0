import { afterAll, beforeAll, beforeEach } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";
import { request } from "./request";

/** One fresh, migrated database for the test file (installed as getDb()); a clean request per test. */
export function setupAuthTestDb(onReady?: () => Promise<void>): () => TestDb {
  let t: TestDb | undefined;
  beforeAll(async () => {
    t = await createTestDb();
    await onReady?.();
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => request.reset());
  return () => {
    if (!t) throw new Error("test database not ready");
    return t;
  };
}
