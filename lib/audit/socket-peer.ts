import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { CLIENT_CHAIN_HEADER, CLIENT_CHAIN_HOOK } from "./context";

/**
 * Next.js gives the app no access to the TCP peer: it only fills X-Forwarded-For with it when the
 * request carries none, so a client that sends its own X-Forwarded-For hides the real peer. This hook
 * runs in Node's HTTP server before Next sees the request (the documented diagnostics channel
 * "http.server.request.start") and records "<X-Forwarded-For as received>, <socket peer>" in
 * CLIENT_CHAIN_HEADER, replacing any value a client sent. lib/audit/context.ts counts TRUSTED_PROXY_HOPS
 * from its right. Installed once per process by instrumentation.ts.
 */
export function installClientChainHook(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[CLIENT_CHAIN_HOOK] === true) return;
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const received = request.headers["x-forwarded-for"];
    const forwarded = (Array.isArray(received) ? received.join(",") : (received ?? "")).trim();
    const peer = socket.remoteAddress ?? "unknown";
    request.headers[CLIENT_CHAIN_HEADER] = forwarded ? `${forwarded}, ${peer}` : peer;
  });
  g[CLIENT_CHAIN_HOOK] = true;
}
