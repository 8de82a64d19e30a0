import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { DEFAULT_PGLITE_SHARED_BUFFERS } from "@/lib/config/env";
import { PrismaClient } from "@/lib/generated/prisma/client";

export type Db = PrismaClient;
/** A transaction client as handed to `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export type DbRuntime =
  | { kind: "postgres"; url: string; poolMax?: number }
  | { kind: "pglite"; dataDir: string | null; sharedBuffers?: string } // dataDir null: in memory (tests)
  | { kind: "pglite-instance"; pglite: PGlite };

export interface DbHandle {
  prisma: PrismaClient;
  kind: "postgres" | "pglite";
  /** Same connection settings, for the schema engine (migrations). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Embedded only: the PGlite instance (one connection, this process only). */
  pglite?: PGlite;
  close(): Promise<void>;
}

/** The one factory: a Prisma client on embedded PGlite or on PostgreSQL. */
export function createDb(runtime: DbRuntime): DbHandle {
  if (runtime.kind === "postgres") {
    const config = { connectionString: runtime.url, max: runtime.poolMax ?? 10 };
    const prisma = new PrismaClient({ adapter: new PrismaPg(config) });
    return { prisma, kind: "postgres", adapterFactory: wholeScriptPg(new PrismaPg(config)), close: () => prisma.$disconnect() };
  }
  let pglite: PGlite;
  if (runtime.kind === "pglite-instance") pglite = runtime.pglite;
  else {
    // PGlite's own shared_buffers (128MB) would stay resident for the process's lifetime (WebAssembly memory
    // never shrinks), beside the portal: a smaller pool, with data files read through the OS page cache,
    // is ~90 MB less resident memory for a 10,000-user account (bench:sync).
    const options = { startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${runtime.sharedBuffers ?? DEFAULT_PGLITE_SHARED_BUFFERS}`] };
    if (runtime.dataDir) {
      const dir = path.resolve(runtime.dataDir);
      mkdirSync(dir, { recursive: true });
      pglite = new PGlite(dir, options);
    } else pglite = new PGlite(options);
  }
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    kind: "pglite",
    adapterFactory,
    pglite,
    close: async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
  };
}

type PgConnection = { client: { query(sql: string): Promise<unknown> }; onError(e: unknown): never; executeScript(s: string): Promise<void> };

/**
 * @prisma/adapter-pg 7.10 runs a migration script by splitting it on ";", which breaks PL/pgSQL bodies
 * (our audit trigger). PostgreSQL's simple query protocol runs a whole multi-statement script in one
 * call, so the migration adapter sends it unsplit.
 */
function wholeScriptPg(factory: PrismaPg): SqlMigrationAwareDriverAdapterFactory {
  const patch = <T>(conn: T): T => {
    const c = conn as unknown as PgConnection;
    c.executeScript = async (script: string) => {
      try {
        await c.client.query(script);
      } catch (error) {
        c.onError(error);
      }
    };
    return conn;
  };
  return {
    adapterName: factory.adapterName,
    provider: factory.provider,
    connect: async () => patch(await factory.connect()),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
  };
}
