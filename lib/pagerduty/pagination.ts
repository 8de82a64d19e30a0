/**
 * Pagination done right (NOTES §1.4), independent of any endpoint.
 *
 * Classic (offset) listings: page 0 is fetched with `total=true` (the only page that pays for a count),
 * which tells how many pages remain; those are fetched `concurrency` at a time (all under the shared rate
 * budget) and yielded in order. If records were added meanwhile the last page says `more` and the listing
 * continues sequentially. Records that shift between pages while we read are de-duplicated by key.
 *
 * The offset cap: PagerDuty refuses `offset + limit > 10000` (400, code 2002). `partitionedPages` looks at
 * page 0's `total` and, when it is above the cap (offset 9900 + limit 100 still reads record 10,000),
 * splits the listing into narrower queries (a caller-supplied `split`, recursively, until every partition
 * is under the cap) and merges them without duplicates. Partitions built from server-side filters can overlap or leave gaps depending on how the
 * server matches, so completeness is verified, not assumed: the number of distinct records must reach the
 * root `total` (re-counted at the end, so deletions during the listing do not count as gaps), otherwise the
 * listing fails with `incomplete_listing` instead of silently returning a partial picture (a sync marks
 * entities removed only after a complete listing).
 *
 * Cursor listings (`cursor`/`next_cursor`) follow the cursor until it is null. pdjs's `all()` looks for a
 * `cursor` field PagerDuty never sends and stops after one page; we do not use it.
 */
import { PagerDutyError } from "./errors";
import type { QueryValue } from "./transport";

export const MAX_PAGE_SIZE = 100;
export const OFFSET_CAP = 10_000;

export interface ClassicPage<T> {
  items: T[];
  more: boolean;
  total: number | undefined;
}

export interface Listing<T> extends AsyncIterable<T> {
  /** Page by page (for progress reporting). */
  pages(): AsyncGenerator<T[]>;
  /** Every record, once. */
  all(): Promise<T[]>;
}

export function listing<T>(pages: () => AsyncGenerator<T[]>): Listing<T> {
  return {
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const page of pages()) yield* page;
    },
    async all() {
      const out: T[] = [];
      for await (const page of pages()) for (const item of page) out.push(item);
      return out;
    },
  };
}

export type QueryParams = Record<string, QueryValue | undefined>;

/** Fetch one classic page of the listing narrowed by `query`. */
export type ClassicFetch<T> = (query: QueryParams, offset: number, limit: number, total: boolean) => Promise<ClassicPage<T>>;

export interface ClassicOptions<T> {
  /** Page size; PagerDuty's maximum (and our default) is 100. */
  limit?: number;
  /** Pages in flight at once after page 0. Default 4. */
  concurrency?: number;
  /** Identity of a record, for de-duplication across pages and partitions. */
  key: (item: T) => string;
  /** Route label for errors. */
  route: string;
}

/** Run `tasks` with at most `concurrency` in flight; yield their results in task order. */
async function* ordered<R>(tasks: (() => Promise<R>)[], concurrency: number): AsyncGenerator<R> {
  const started: Promise<R>[] = [];
  let next = 0;
  const startMore = () => {
    while (next < tasks.length && started.length - yielded < concurrency) {
      const promise = (tasks[next++] as () => Promise<R>)();
      // Rejections are observed when their turn comes; this keeps an early failure elsewhere from turning
      // a pending rejection into an unhandled one.
      promise.catch(() => {});
      started.push(promise);
    }
  };
  let yielded = 0;
  startMore();
  while (yielded < tasks.length) {
    const result = await (started[yielded] as Promise<R>);
    yielded++;
    startMore();
    yield result;
  }
}

function offsetCapError(route: string): PagerDutyError {
  return new PagerDutyError({
    kind: "incomplete_listing",
    status: 0,
    message: `the listing grew past PagerDuty's ${OFFSET_CAP}-record offset cap while it was being read`,
    route,
    retryable: true,
  });
}

/**
 * All pages of one (unpartitioned) classic listing. `first` is page 0 if the caller already has it.
 * Yields each page's not-yet-seen records.
 */
export async function* classicPages<T>(
  fetchPage: ClassicFetch<T>,
  query: QueryParams,
  options: ClassicOptions<T>,
  seen: Set<string> = new Set(),
  first?: ClassicPage<T>,
): AsyncGenerator<T[]> {
  const limit = Math.min(options.limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const fresh = (items: T[]) =>
    items.filter((item) => {
      const id = options.key(item);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });

  const page0 = first ?? (await fetchPage(query, 0, limit, true));
  yield fresh(page0.items);
  if (!page0.more) return;

  let last = page0;
  let nextOffset = limit;
  if (page0.total !== undefined) {
    const end = Math.min(page0.total, OFFSET_CAP);
    const offsets: number[] = [];
    for (let offset = limit; offset < end && offset + limit <= OFFSET_CAP; offset += limit) offsets.push(offset);
    for await (const page of ordered(offsets.map((offset) => () => fetchPage(query, offset, limit, false)), concurrency)) {
      yield fresh(page.items);
      last = page;
    }
    nextOffset = limit * (offsets.length + 1);
  }
  // Without a total, or when records were added after page 0: follow `more` one page at a time.
  while (last.more) {
    if (nextOffset + limit > OFFSET_CAP) throw offsetCapError(options.route);
    last = await fetchPage(query, nextOffset, limit, false);
    yield fresh(last.items);
    nextOffset += limit;
  }
}

export interface Partition {
  /** For error messages, e.g. `query="a@"`. */
  label: string;
  query: QueryParams;
}

export interface PartitionOptions<T> extends ClassicOptions<T> {
  /**
   * Narrower partitions that together cover `partition`, or undefined when it cannot be split further.
   * Called only for partitions whose `total` is above the offset cap.
   */
  split: (partition: Partition) => Partition[] | undefined;
}

/**
 * A classic listing that stays correct beyond the 10,000-record offset cap. Costs one request more than an
 * unpartitioned listing when under the cap (none, in fact: page 0 is reused), and one page-0 per partition
 * plus a final re-count when over it.
 */
export async function* partitionedPages<T>(
  fetchPage: ClassicFetch<T>,
  root: Partition,
  options: PartitionOptions<T>,
): AsyncGenerator<T[]> {
  const limit = Math.min(options.limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const seen = new Set<string>();
  const first = await fetchPage(root.query, 0, limit, true);
  if (first.total === undefined || first.total <= OFFSET_CAP) {
    yield* classicPages(fetchPage, root.query, options, seen, first);
    return;
  }

  const walk = async function* (partition: Partition, page0: ClassicPage<T>): AsyncGenerator<T[]> {
    if (page0.total !== undefined && page0.total <= OFFSET_CAP) {
      yield* classicPages(fetchPage, partition.query, options, seen, page0);
      return;
    }
    const children = options.split(partition);
    if (!children || children.length === 0) {
      throw new PagerDutyError({
        kind: "incomplete_listing",
        status: 0,
        message: `${page0.total ?? "unknown number of"} records match ${partition.label}, more than the ${OFFSET_CAP}-record offset cap, and it cannot be split further`,
        route: options.route,
        retryable: false,
      });
    }
    for (const child of children) {
      const childFirst = await fetchPage(child.query, 0, limit, true);
      yield* walk(child, childFirst);
    }
  };
  // The root's page 0 holds records too, but they are re-read within their partitions; skip it.
  yield* walk(root, { ...first, items: [] });

  if (seen.size < first.total) {
    const recount = await fetchPage(root.query, 0, 1, true);
    const expected = Math.min(first.total, recount.total ?? first.total);
    if (seen.size < expected) {
      throw new PagerDutyError({
        kind: "incomplete_listing",
        status: 0,
        message: `partitioned listing found ${seen.size} distinct records but PagerDuty counts ${expected}; the partitions do not cover every record`,
        route: options.route,
        retryable: false,
      });
    }
  }
}

export type CursorFetch<T> = (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | undefined }>;

export async function* cursorPages<T>(fetchPage: CursorFetch<T>, route: string): AsyncGenerator<T[]> {
  const used = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield page.items;
    cursor = page.nextCursor;
    if (cursor !== undefined) {
      // A server that hands back a cursor it already gave would loop forever.
      if (used.has(cursor)) {
        throw new PagerDutyError({ kind: "invalid_response", status: 200, message: "the server repeated a pagination cursor", route, retryable: false });
      }
      used.add(cursor);
    }
  } while (cursor !== undefined);
}
