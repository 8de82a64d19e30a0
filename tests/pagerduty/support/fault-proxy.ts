/**
 * A scriptable HTTP proxy in front of the simulator, for faults the tests must place exactly (the third
 * request hangs, the next two answer 503…). Everything else is forwarded byte for byte, so the client still
 * talks real HTTP to the real simulator.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: "hang" };

export interface FaultProxy {
  url: string;
  /** Faults for the next matching requests, in order. */
  inject(match: (method: string, path: string) => boolean, ...faults: Fault[]): void;
  /** Every request seen: method, path (with query), time, and the fault applied if any. */
  log: { method: string; path: string; at: number; fault?: Fault["kind"]; authorization?: string }[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: { match: (method: string, path: string) => boolean; faults: Fault[] }[] = [];
  const log: FaultProxy["log"] = [];
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const rule = rules.find((r) => r.faults.length > 0 && r.match(method, path));
    const fault = rule?.faults.shift();
    log.push({ method, path, at: Date.now(), fault: fault?.kind, authorization: req.headers.authorization });
    if (fault?.kind === "hang") {
      hanging.add(res);
      req.resume();
      return;
    }
    if (fault?.kind === "status") {
      req.resume();
      const body = fault.body === undefined ? "" : JSON.stringify(fault.body);
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(body);
      return;
    }
    const forward = http.request(
      { hostname: upstream.hostname, port: upstream.port, method, path, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    inject(match, ...faults) {
      rules.push({ match, faults });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
