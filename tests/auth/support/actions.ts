import { readdirSync } from "node:fs";
import path from "node:path";
import type { Db } from "@/lib/db";
import { RedirectError } from "./request";

const ROOT = path.resolve(import.meta.dirname, "../../..");

export type ServerAction = (raw?: unknown) => Promise<unknown>;

/**
 * Every server action in the app: each exported function of every app/**\/actions.ts, keyed
 * "<path>#<export>". New actions appear here automatically, so a test table missing them fails.
 */
export async function discoverServerActions(): Promise<Map<string, ServerAction>> {
  const files = readdirSync(path.join(ROOT, "app"), { recursive: true, encoding: "utf8" })
    .filter((f) => path.basename(f) === "actions.ts")
    .map((f) => path.posix.join("app", f.split(path.sep).join("/")))
    .sort();
  const actions = new Map<string, ServerAction>();
  for (const file of files) {
    const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === "function") actions.set(`${file}#${name}`, value as ServerAction);
    }
  }
  return actions;
}

export type CallOutcome =
  | { kind: "result"; value: unknown }
  | { kind: "redirect"; url: string }
  | { kind: "threw"; error: unknown };

/** Calls an action as the browser would, recording a result, a redirect, or (never acceptable) a throw. */
export async function callAction(action: ServerAction, input: unknown): Promise<CallOutcome> {
  try {
    return { kind: "result", value: await action(input) };
  } catch (error) {
    if (error instanceof RedirectError) return { kind: "redirect", url: error.url };
    return { kind: "threw", error };
  }
}

export const isOk = (o: CallOutcome) => o.kind === "result" && typeof o.value === "object" && o.value !== null && (o.value as { ok?: unknown }).ok === true;
export const isRefusal = (o: CallOutcome): o is { kind: "result"; value: { ok: false; error: string } } =>
  o.kind === "result" &&
  typeof o.value === "object" &&
  o.value !== null &&
  (o.value as { ok?: unknown }).ok === false &&
  typeof (o.value as { error?: unknown }).error === "string";

/**
 * Row counts of every table plus the details an action could change without adding a row (roles,
 * status, sessions, the audit head). Equal before and after a call means nothing was written.
 */
export async function worldFingerprint(db: Db): Promise<string> {
  const tables = await db.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
    ORDER BY table_name`;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${name.replace(/"/g, '""')}"`);
    counts[name] = row?.n ?? -1;
  }
  const [people, sessions, head] = await Promise.all([
    db.person.findMany({ orderBy: { id: "asc" }, select: { id: true, roles: true, status: true, name: true, updatedAt: true } }),
    db.session.findMany({ orderBy: { sessionToken: "asc" }, select: { sessionToken: true, expires: true } }),
    db.auditHead.findUnique({ where: { id: 1 } }),
  ]);
  return JSON.stringify({ counts, people, sessions, head: head ? `${head.seq}:${head.hash}` : null });
}
