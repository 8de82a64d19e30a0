import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { createDb, type DbHandle } from "@/lib/db/client";
import { applyPendingMigrations } from "@/lib/db/migrations";
import { setDbHandle, type Db } from "@/lib/db";

export interface TestDb extends DbHandle {
  /** Runs SQL as the database owner would, e.g. to tamper with rows behind the app's back. */
  superuser(sql: string): Promise<void>;
  /** Connection URL of this test's own database (PostgreSQL only). */
  url?: string;
}

/** The PostgreSQL server this project's machines and CI run at 127.0.0.1:5432 (docs: environment guide). */
export const LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * The server for tests that need PostgreSQL whatever the pass (several processes sharing one database):
 * TEST_DATABASE_URL when set, else the local server. Fails with a message saying what to do when neither answers.
 */
export async function requirePostgres(): Promise<string> {
  const url = process.env.TEST_DATABASE_URL || LOCAL_POSTGRES_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    const where = new URL(url);
    throw new Error(
      `This test needs PostgreSQL (several processes share one database) and none answered at ${where.host}: ` +
        `${error instanceof Error ? error.message : String(error)}. Start the server at 127.0.0.1:5432 ` +
        `(pg_ctlcluster <version> main start) or set TEST_DATABASE_URL to a server where databases may be created.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  return url;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on the
 * PostgreSQL server named by TEST_DATABASE_URL (dropped again by close()). `postgres: true` always uses
 * PostgreSQL (requirePostgres).
 */
export async function createTestDb(opts: { install?: boolean; postgres?: boolean } = {}): Promise<TestDb> {
  const admin = opts.postgres ? await requirePostgres() : process.env.TEST_DATABASE_URL;
  let handle: DbHandle;
  let superuser: (sql: string) => Promise<void>;
  let drop = async () => {};
  let url: string | undefined;
  if (admin) {
    const name = `portal_test_${Date.now()}_${randomBytes(4).toString("hex")}`;
    const adminClient = new pg.Client({ connectionString: admin });
    await adminClient.connect();
    await adminClient.query(`CREATE DATABASE "${name}"`);
    await adminClient.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    url = u.toString();
    handle = createDb({ kind: "postgres", url });
    superuser = async (sql) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    drop = async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  } else {
    handle = createDb({ kind: "pglite", dataDir: null });
    superuser = async (sql) => {
      await handle.pglite!.exec(sql);
    };
  }
  await applyPendingMigrations(handle.adapterFactory);
  if (opts.install !== false) setDbHandle(handle);
  return {
    ...handle,
    url,
    superuser,
    close: async () => {
      await handle.close();
      await drop();
    },
  };
}

/**
 * The usual per-file database: created in beforeAll, closed in afterAll (after `cleanup`, e.g. restoring
 * options a test replaced). Read `current.db` inside tests.
 */
export function databasePerFile(cleanup?: () => void | Promise<void>): { readonly db: Db; readonly t: TestDb } {
  let t: TestDb | undefined;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await cleanup?.();
    await t?.close();
  });
  return {
    get t() {
      if (!t) throw new Error("the test database is created in beforeAll");
      return t;
    },
    get db() {
      return this.t.prisma;
    },
  };
}
