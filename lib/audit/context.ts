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
 * The request's client address chain as this server computed it: the X-Forwarded-For entries it
 * received, then the address of the socket's peer (exactly what a well-behaved proxy appends). Written by
 * the server hook (lib/audit/socket-peer.ts) on every request, overwriting anything a client sent.
 */
export const CLIENT_CHAIN_HEADER = "x-portal-client-chain";
/** Set on globalThis by the hook once installed: without it, CLIENT_CHAIN_HEADER could be a client's. */
export const CLIENT_CHAIN_HOOK = Symbol.for("portal.clientChainHook");

export function clientChainHookInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[CLIENT_CHAIN_HOOK] === true;
}

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
  const { env } = await import("@/lib/config/env");
  return contextFromHeaders(source, { trustedProxyHops: env().trustedProxyHops });
}

export interface ClientIpOptions {
  /** TRUSTED_PROXY_HOPS: how many proxies of the operator's own stand in front of the portal. */
  trustedProxyHops: number;
  /** Whether CLIENT_CHAIN_HEADER was written by this server (default: the hook is installed). */
  chainTrusted?: boolean;
}

/**
 * The audit context carried by a set of request headers.
 * - requestId: the x-request-id set by the proxy or the caller (printable ASCII, at most 128 chars,
 *   so a client cannot smuggle control characters into the trail), else a generated UUID.
 * - clientIp: see clientIpFromChain; null when the chain is unknown or that entry is not an IP address.
 */
export function contextFromHeaders(h: HeaderSource, opts: ClientIpOptions = { trustedProxyHops: 0 }): AuditRequestContext {
  const given = h.get("x-request-id")?.trim();
  let requestId = given && /^[\x21-\x7e]{1,128}$/.test(given) ? given : null;
  if (!requestId) {
    requestId = generatedIds.get(h) ?? randomUUID();
    generatedIds.set(h, requestId);
  }
  const trusted = opts.chainTrusted ?? clientChainHookInstalled();
  const chain = trusted ? h.get(CLIENT_CHAIN_HEADER) : null;
  return { requestId, clientIp: chain === null ? null : clientIpFromChain(chain, opts.trustedProxyHops) };
}

/**
 * The client's address from the chain "<X-Forwarded-For as received>, <socket peer>", behind
 * `hops` trusted proxies: the entry `hops` places left of the socket peer. 0 hops: the socket peer
 * itself (X-Forwarded-For is ignored: with no proxy of ours in front, every entry of it is whatever the
 * client wrote). N hops: the address the N-th proxy saw connecting to it, the N-th X-Forwarded-For
 * entry from the right. Entries further left are never used: they are the client's own words. A chain
 * shorter than that (the request did not pass through all the proxies) gives null.
 */
export function clientIpFromChain(chain: string, hops: number): string | null {
  const entries = chain.split(",").map((e) => e.trim());
  const index = entries.length - 1 - hops;
  return index >= 0 ? validIp(entries[index]) : null;
}

function validIp(raw: string | null | undefined): string | null {
  let v = raw?.trim();
  if (!v) return null;
  // "[2001:db8::1]:443" and "203.0.113.7:51234" are how some proxies write a peer with its port.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed?.[1]) v = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(":"));
  // An IPv4 client on a dual-stack socket: "::ffff:203.0.113.7" is 203.0.113.7.
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(v);
  if (mapped?.[1]) v = mapped[1];
  return isIP(v) ? v : null;
}
