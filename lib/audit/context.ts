import { randomUUID } from "node:crypto";
import { isIP } from "node:net";

export interface AuditRequestContext {
  requestId: string | null;
  clientIp: string | null;
}

/** The subset of the Web `Headers` API we read; Next's ReadonlyHeaders and `new Headers()` both fit. */
export interface HeaderSource {
  get(name: string): string | null;
}

const OUTSIDE_A_REQUEST: AuditRequestContext = Object.freeze({ requestId: null, clientIp: null });

// A request without x-request-id gets one generated id, shared by every event of that request: Next
// hands out one headers object per request, so it is the key (weakly held, gone with the request).
const generatedIds = new WeakMap<object, string>();

/**
 * {requestId, clientIp} of the request being served, for audit events; nulls outside a request
 * (jobs, scripts, tests). next/headers is imported lazily so this module loads anywhere, and Next's
 * "called outside a request scope" error is the signal that there is no request.
 */
export async function requestContext(): Promise<AuditRequestContext> {
  let source: HeaderSource;
  try {
    const { headers } = await import("next/headers");
    source = await headers();
  } catch {
    return OUTSIDE_A_REQUEST;
  }
  return contextFromHeaders(source);
}

/**
 * The audit context carried by a set of request headers.
 * - requestId: the x-request-id set by the proxy or the caller (printable ASCII, at most 128 chars,
 *   so a client cannot smuggle control characters into the trail), else a generated UUID.
 * - clientIp: the first x-forwarded-for hop (the client as the nearest proxy saw it), else x-real-ip;
 *   only a syntactically valid IPv4/IPv6 address is kept. The portal is expected behind a proxy that
 *   sets these; a directly exposed server should strip them.
 */
export function contextFromHeaders(h: HeaderSource): AuditRequestContext {
  const given = h.get("x-request-id")?.trim();
  let requestId = given && /^[\x21-\x7e]{1,128}$/.test(given) ? given : null;
  if (!requestId) {
    requestId = generatedIds.get(h) ?? randomUUID();
    generatedIds.set(h, requestId);
  }
  const firstHop = h.get("x-forwarded-for")?.split(",")[0];
  const clientIp = validIp(firstHop) ?? validIp(h.get("x-real-ip"));
  return { requestId, clientIp };
}

function validIp(raw: string | null | undefined): string | null {
  let v = raw?.trim();
  if (!v) return null;
  // "[2001:db8::1]:443" and "203.0.113.7:51234" are how some proxies write a peer with its port.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed?.[1]) v = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(":"));
  return isIP(v) ? v : null;
}
