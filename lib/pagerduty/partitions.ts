/**
 * How to split GET /users when an account has more than 10,000 users (the offset cap).
 *
 * The only server-side narrowing that can reach every user is `query` (`team_ids[]` misses users on no
 * team). PagerDuty's `query` matches a user's name or email as a case-insensitive substring (what the UI's
 * search and the Teleport plugin rely on; the spec only says "whose name matches"). Substring partitions by
 * single letters would overlap heavily: "a" and "e" each match most users, multiplying the pages read.
 *
 * So we partition on the characters just before the `@` of the email: an address has exactly one `@`, so
 * `x@` matches exactly the users whose local part ends in `x`. The partitions `a@`, `b@`, … are disjoint
 * and together cover every address whose last local character is in the alphabet, so pages are read once.
 * A partition still above the cap is refined to `ax@`, `bx@`, … (one more character to the left).
 *
 * Coverage is verified by `partitionedPages` (distinct records must reach the root total): an address whose
 * local part ends in a character outside the alphabet, or a name that happens to contain "x@", is caught
 * there as `incomplete_listing` or de-duplicated, never silently lost or doubled.
 */
import type { Partition } from "./pagination";

/** Characters allowed at the end of an email local part that real addresses use. */
export const LOCAL_PART_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789._-+'".split("");

/** Longest suffix we refine to before declaring a partition unsplittable. */
const MAX_SUFFIX = 4;

export function userPartitions(partition: Partition): Partition[] | undefined {
  const current = typeof partition.query.query === "string" ? partition.query.query : "";
  if (current !== "" && !current.endsWith("@")) {
    // A caller's own query (e.g. "smith"): narrowing it further by substring is not disjoint; give up and
    // let the caller refine its query.
    return undefined;
  }
  const suffix = current === "" ? "" : current.slice(0, -1);
  if (suffix.length >= MAX_SUFFIX) return undefined;
  return LOCAL_PART_ALPHABET.map((c) => {
    const query = `${c}${suffix}@`;
    return { label: `query="${query}"`, query: { ...partition.query, query } };
  });
}
