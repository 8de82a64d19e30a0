/**
 * PagerDuty's two pagination styles (NOTES §1.4).
 * Classic: `limit` (default 25, max 100), `offset`, `total=true`; `offset + limit > 10000` → 400 code 2002.
 * Cursor: `limit` and `cursor`, answered with `next_cursor` (null at the end).
 */
import { PdError, argumentsError, invalidInput } from "./errors";

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
export const OFFSET_CAP = 10_000;

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw invalidInput(`${name} must be a non-negative integer`);
  return Number(raw);
}

export interface ClassicPage<T> {
  items: T[];
  envelope: { limit: number; offset: number; more: boolean; total: number | null };
}

/** Slices `all` the way PagerDuty pages a classic listing. */
export function classicPage<T>(query: URLSearchParams, all: readonly T[]): ClassicPage<T> {
  const requested = intParam(query, "limit", DEFAULT_LIMIT);
  const limit = Math.min(Math.max(requested, 1), MAX_LIMIT);
  const offset = intParam(query, "offset", 0);
  if (offset + limit > OFFSET_CAP) {
    throw argumentsError(`Offset+limit exceeds maximum allowed value of ${OFFSET_CAP}. Please try to refine your search to reduce the number of results.`);
  }
  const items = all.slice(offset, offset + limit);
  const withTotal = query.get("total") === "true";
  return { items, envelope: { limit, offset, more: offset + items.length < all.length, total: withTotal ? all.length : null } };
}

/** `{[key]: items, limit, offset, more, total}`. */
export function classicBody<T, U>(key: string, query: URLSearchParams, all: readonly T[], serialise: (item: T) => U): Record<string, unknown> {
  const page = classicPage(query, all);
  return { [key]: page.items.map(serialise), ...page.envelope };
}

const COMMA = Buffer.from(",");

/**
 * classicBody as UTF-8 JSON, from items already serialised (`toJson` gives each item's JSON bytes): joining
 * cached buffers costs a copy, where serialising and encoding a 100-user page costs most of a request.
 */
export function classicJson<T>(key: string, query: URLSearchParams, all: readonly T[], toJson: (item: T) => Buffer): Buffer {
  const page = classicPage(query, all);
  const parts: Buffer[] = [Buffer.from(`{${JSON.stringify(key)}:[`)];
  page.items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(toJson(item));
  });
  parts.push(Buffer.from(`],${JSON.stringify(page.envelope).slice(1)}`));
  return Buffer.concat(parts);
}

/** Opaque cursor: base64url of the position after the last item served. */
export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ p: position }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { p?: unknown };
    if (typeof value.p === "number" && Number.isInteger(value.p) && value.p >= 0) return value.p;
  } catch {
    // fall through
  }
  throw new PdError(400, 2001, "Invalid Input Provided", ["cursor is not valid; use the next_cursor of the previous page"]);
}

export const CURSOR_DEFAULT_LIMIT = 100;
export const CURSOR_MAX_LIMIT = 1000;

/** `{[key]: items, limit, next_cursor}` over an already filtered and ordered list. */
export function cursorBody<T, U>(key: string, query: URLSearchParams, all: readonly T[], serialise: (item: T) => U): Record<string, unknown> {
  const limit = Math.min(Math.max(intParam(query, "limit", CURSOR_DEFAULT_LIMIT), 1), CURSOR_MAX_LIMIT);
  const cursor = query.get("cursor");
  const start = cursor ? decodeCursor(cursor) : 0;
  const items = all.slice(start, start + limit);
  const end = start + items.length;
  return { [key]: items.map(serialise), limit, next_cursor: end < all.length ? encodeCursor(end) : null };
}
