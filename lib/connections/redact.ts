/**
 * Redaction for anything about a connection that may reach a log line, an error message or a page.
 */

const REDACTED = "[redacted]";

/** Replaces every occurrence of each secret (4+ characters; shorter strings cannot be real credentials). */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join(REDACTED);
  }
  return out;
}

/** Field names that hold secret material in a connection row or input. */
export const SECRET_FIELDS = ["apiKey", "oauthClientSecret", "clientSecret", "secretCiphertext", "token"] as const;

/**
 * A copy of `value` with secret fields replaced by "[redacted]", for logging an input or a row. Only plain
 * objects and arrays are walked; everything else is kept as is.
 */
export function redactFields<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[k] = (SECRET_FIELDS as readonly string[]).includes(k) ? REDACTED : walk(inner);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** First characters of a fingerprint, as pages show it. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 12);
}
