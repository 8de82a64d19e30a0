/**
 * Bulk writes of synced rows. PGlite is one connection and pays per statement, so rows go in as one
 * `INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE` per chunk: one bind parameter per column, not per
 * value, and the same SQL on PostgreSQL. Every synced table has firstSeenAt / lastSeenAt / removedAt; an
 * upsert stamps lastSeenAt with the run's time and clears removedAt (an object that came back).
 */
import type { DbOrTx } from "@/lib/db";

export type ColumnType = "text" | "int" | "bool" | "timestamptz" | "text[]" | "enum";

export interface Column {
  name: string;
  type: ColumnType;
  /** PostgreSQL enum type name, for `enum` columns. */
  enumType?: string;
}

export interface TableSpec {
  table: string;
  /** Primary-key columns (connectionId first). */
  key: string[];
  columns: Column[];
}

export type Row = Record<string, string | number | boolean | Date | string[] | null | undefined>;

const CHUNK = 5_000;

/** A PostgreSQL array literal for one text[] cell (unnest cannot take an array of arrays). */
function arrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

function cell(value: Row[string], type: ColumnType): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (type === "text[]") return arrayLiteral(value as string[]);
  if (value instanceof Date) return value.toISOString();
  return value as string | number | boolean;
}

const paramType: Record<ColumnType, string> = { text: "text[]", int: "int[]", bool: "bool[]", timestamptz: "timestamptz[]", "text[]": "text[]", enum: "text[]" };

function castOut(c: Column): string {
  const q = `u."${c.name}"`;
  if (c.type === "text[]") return `coalesce(${q}::text[], ARRAY[]::text[])`;
  if (c.type === "enum") return `${q}::"${c.enumType}"`;
  return q;
}

export interface UpsertCounts {
  created: number;
  /** Existing rows whose values changed, or that were removed and came back. */
  updated: number;
}

/**
 * Inserts or refreshes `rows`; all of them are stamped as seen at `seenAt`. Counts are computed in the same
 * statement (a data-modifying CTE: the counting SELECT sees the table as it was before the insert).
 */
export async function upsertRows(db: DbOrTx, spec: TableSpec, rows: Row[], seenAt: Date): Promise<UpsertCounts> {
  const counts = { created: 0, updated: 0 };
  if (rows.length === 0) return counts;
  const cols = spec.columns;
  const names = cols.map((c) => `"${c.name}"`).join(", ");
  const valueCols = cols.filter((c) => !spec.key.includes(c.name));
  const seenParam = `$${cols.length + 1}::timestamptz`;
  const updates = valueCols.map((c) => `"${c.name}" = EXCLUDED."${c.name}"`).concat([`"lastSeenAt" = EXCLUDED."lastSeenAt"`, `"removedAt" = NULL`]);
  const join = spec.key.map((k) => `t."${k}" = u."${k}"`).join(" AND ");
  const changed = valueCols.map((c) => `t."${c.name}" IS DISTINCT FROM u."${c.name}"`).concat([`t."removedAt" IS NOT NULL`]).join(" OR ");
  const sql =
    `WITH u AS (SELECT ${cols.map((c) => `${castOut(c)} AS "${c.name}"`).join(", ")} ` +
    `FROM unnest(${cols.map((c, i) => `$${i + 1}::${paramType[c.type]}`).join(", ")}) AS u(${names})), ` +
    `stats AS (SELECT count(*) FILTER (WHERE t."${spec.key[0]}" IS NULL) AS created, ` +
    `count(*) FILTER (WHERE t."${spec.key[0]}" IS NOT NULL AND (${changed})) AS updated ` +
    `FROM u LEFT JOIN "${spec.table}" t ON ${join}), ` +
    `ins AS (INSERT INTO "${spec.table}" (${names}, "firstSeenAt", "lastSeenAt", "removedAt") ` +
    `SELECT ${names}, ${seenParam}, ${seenParam}, NULL FROM u ` +
    `ON CONFLICT (${spec.key.map((k) => `"${k}"`).join(", ")}) DO UPDATE SET ${updates.join(", ")}) ` +
    `SELECT created, updated FROM stats`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const params = cols.map((c) => chunk.map((r) => cell(r[c.name], c.type)));
    const [result] = await db.$queryRawUnsafe<{ created: bigint | number; updated: bigint | number }[]>(sql, ...params, seenAt.toISOString());
    counts.created += Number(result?.created ?? 0);
    counts.updated += Number(result?.updated ?? 0);
  }
  return counts;
}

/**
 * Marks removed every live row of the connection (narrowed by `scope`) not seen since `seenAt`. Call only
 * after the listing that should contain those rows completed. Returns how many rows were marked.
 */
export async function markUnseenRemoved(db: DbOrTx, table: string, connectionId: string, seenAt: Date, scope: Record<string, string | string[]> = {}): Promise<number> {
  const params: unknown[] = [connectionId, seenAt.toISOString()];
  const where = [`"connectionId" = $1`, `"removedAt" IS NULL`, `"lastSeenAt" < $2::timestamptz`];
  for (const [col, value] of Object.entries(scope)) {
    params.push(value);
    where.push(Array.isArray(value) ? `"${col}" = ANY($${params.length}::text[])` : `"${col}" = $${params.length}`);
  }
  return db.$executeRawUnsafe(`UPDATE "${table}" SET "removedAt" = $2::timestamptz WHERE ${where.join(" AND ")}`, ...params);
}

/** Marks removed the live rows of the connection whose `column` is one of `values` (e.g. a deleted user's memberships). */
export async function markRemovedWhere(db: DbOrTx, table: string, connectionId: string, at: Date, column: string, values: string[]): Promise<number> {
  if (values.length === 0) return 0;
  return db.$executeRawUnsafe(
    `UPDATE "${table}" SET "removedAt" = $2::timestamptz WHERE "connectionId" = $1 AND "removedAt" IS NULL AND "${column}" = ANY($3::text[])`,
    connectionId,
    at.toISOString(),
    values,
  );
}
