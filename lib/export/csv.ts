/**
 * THE one place the portal writes CSV. Every CSV export (the audit trail, review evidence packs, any later
 * one) goes through `csvStringifier` (streaming) or `csvText` (a few rows at a time), so no cell reaches a
 * spreadsheet as a formula (OWASP "CSV injection"):
 * - a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote in front
 *   (`=HYPERLINK(…)` is written `'=HYPERLINK(…)`: Excel, LibreOffice and Google Sheets show it as text);
 * - a cell that already starts with a single quote gets one more, so the escaping can always be undone:
 *   `unescapeCell` removes exactly one leading quote, and an auditor recomputing a hash from a CSV (the
 *   audit trail's event hashes) gets back the stored value byte for byte;
 * - a cell holding a carriage return is quoted (a bare CR ends a row in some readers).
 * Numbers, bigints and JSON objects are escaped like text (a negative number reads "'-3").
 */
import { stringify, type Options, type Stringifier } from "csv-stringify";
import { stringify as stringifySync } from "csv-stringify/sync";

/** The leading characters a spreadsheet would run as a formula. */
export const FORMULA_PREFIXES = ["=", "+", "-", "@", "\t", "\r"] as const;

const NEEDS_QUOTE = /^[=+\-@\t\r']/;

/** The cell as written: a leading formula character (or quote) is neutralised with a single quote. */
export function escapeCell(value: string): string {
  return NEEDS_QUOTE.test(value) ? `'${value}` : value;
}

/** The value a cell was written from (the inverse of escapeCell). */
export function unescapeCell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

const OPTIONS = {
  cast: {
    string: escapeCell,
    number: (v: number) => escapeCell(String(v)),
    bigint: (v: bigint) => escapeCell(v.toString()),
    date: (v: Date) => v.toISOString(),
    object: (v: object) => escapeCell(JSON.stringify(v)),
  },
  quoted_match: /\r/,
} satisfies Options;

/** A streaming CSV writer (csv-stringify) with the portal's escaping; `header`/`columns` as csv-stringify's. */
export function csvStringifier(options: Pick<Options, "header" | "columns"> = {}): Stringifier {
  return stringify({ ...OPTIONS, ...options });
}

/** Rows as CSV text (one line each, "\n" terminated), with the portal's escaping. */
export function csvText(rows: readonly (readonly unknown[])[]): string {
  return stringifySync(rows as unknown[][], OPTIONS);
}
