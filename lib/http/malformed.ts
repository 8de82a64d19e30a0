/**
 * Addresses no route can serve: a path whose percent-encoding is not UTF-8 (`/reviews/%FF`, a lone
 * surrogate's bytes `%ED%A0%80`) makes Next.js fail while decoding a dynamic segment, and a NUL or other
 * control character would end up in a query or a header. Both are answered 400 with a message before any
 * route runs (proxy.ts for paths; next-auth's route for its query, which it copies into redirects).
 * Free of server-only imports: proxy.ts runs it on every request.
 */

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why this path cannot be served, or null: each segment must decode as UTF-8 and hold no control character. */
export function malformedPath(pathname: string): string | null {
  for (const segment of pathname.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return "The address is malformed: its percent-encoding is not valid UTF-8.";
    }
    if (CONTROL.test(decoded)) return "The address is malformed: it contains a control character.";
  }
  return null;
}

/** Why this query cannot be used in a redirect or a header, or null: no control characters, no undecodable bytes (U+FFFD). */
export function malformedQuery(params: URLSearchParams): string | null {
  for (const [name, value] of params) {
    if (CONTROL.test(name) || CONTROL.test(value)) return `The parameter ${JSON.stringify(name.slice(0, 40))} contains a control character.`;
    if (name.includes("\uFFFD") || value.includes("\uFFFD")) return `The parameter ${JSON.stringify(name.slice(0, 40))} is not valid UTF-8.`;
  }
  return null;
}

/** The 400 answer for a malformed address. */
export const malformedResponse = (message: string) => Response.json({ error: message }, { status: 400, headers: { "cache-control": "no-store" } });
