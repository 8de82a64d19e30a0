/**
 * The one rule for text that reaches the database from outside (forms, searches, filters, query strings):
 * PostgreSQL cannot store the NUL character, and a lone UTF-16 surrogate is not Unicode (the driver would
 * either fail or silently turn it into U+FFFD). Such text is refused at the edge with a message, before any
 * query runs, so a pasted control character never ends in "Something went wrong".
 *
 * Use `text()` wherever a schema would use `z.string()` for input; chain `.trim()`, `.min()`, `.max()`,
 * `.regex()` as usual.
 */
import { z } from "zod";

export const UNSTORABLE_TEXT_MESSAGE = "Text must not contain the NUL character or broken Unicode (a lone surrogate): remove it and try again.";

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether PostgreSQL can store this text exactly as given. */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
}

/** z.string() for input: refuses (and stops at) text PostgreSQL cannot store. `params`: z.string's. */
export function text(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine(isStorableText, { error: UNSTORABLE_TEXT_MESSAGE, abort: true });
}
