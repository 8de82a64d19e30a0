/**
 * For tests that must prove where traffic goes (and that it goes nowhere): local HTTP servers that count the
 * connections they accept, and a spy on every client connection this process opens.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { vi } from "vitest";

export interface LocalServer {
  url: string;
  port: number;
  /** TCP connections accepted. */
  connections: number;
  /** "METHOD /path" of every request received. */
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 at a free port. */
export async function listenLocal(handler: http.RequestListener): Promise<LocalServer> {
  const server = http.createServer(handler);
  const local: LocalServer = { url: "", port: 0, connections: 0, requests: [], close: async () => {} };
  server.on("connection", () => local.connections++);
  server.on("request", (req: http.IncomingMessage) => local.requests.push(`${req.method} ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  local.port = (server.address() as AddressInfo).port;
  local.url = `http://127.0.0.1:${local.port}`;
  local.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return local;
}

/**
 * Records "host:port" of every connection attempt (net.Socket#connect underlies node:http, TLS and undici),
 * then lets it proceed. Connections to `ignorePort` (a database server) are not recorded.
 */
export function watchConnections(opts: { ignorePort?: number | null } = {}): string[] {
  const realConnect = net.Socket.prototype.connect;
  const connects: string[] = [];
  vi.spyOn(net.Socket.prototype, "connect").mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const options = (Array.isArray(first) ? first[0] : first) as { host?: string; port?: number } | number;
    const port = typeof options === "object" && options !== null ? Number(options.port) : Number(options);
    if (opts.ignorePort == null || port !== opts.ignorePort) {
      connects.push(typeof options === "object" && options !== null ? `${options.host ?? "localhost"}:${String(options.port)}` : String(options));
    }
    return realConnect.apply(this, args as Parameters<typeof realConnect>);
  });
  return connects;
}

export const sendJson = (res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
};
