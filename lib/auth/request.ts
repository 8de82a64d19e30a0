import "server-only";
import { headers } from "next/headers";

export interface RequestContext {
  requestId: string | null;
  clientIp: string | null;
}

/**
 * The current request's id and client IP for audit events; nulls outside a request (jobs, scripts).
 * The first X-Forwarded-For hop is what the nearest proxy saw; the portal is expected behind one.
 */
export async function currentRequestContext(): Promise<RequestContext> {
  let h: Headers;
  try {
    h = await headers();
  } catch {
    return { requestId: null, clientIp: null };
  }
  const requestId = clean(h.get("x-request-id") ?? h.get("x-vercel-id"), 128);
  const forwarded = h.get("x-forwarded-for")?.split(",")[0];
  const clientIp = clean(forwarded ?? h.get("x-real-ip"), 64);
  return { requestId, clientIp };
}

function clean(value: string | null | undefined, max: number): string | null {
  const v = value?.trim();
  return v ? v.slice(0, max) : null;
}
