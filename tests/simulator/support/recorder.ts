/**
 * A recording HTTP proxy for contract tests: point a real client at `proxy.url` and every exchange is
 * forwarded unchanged to `target` and kept — method, URL, headers and body exactly as they came off the
 * wire, and the answer — so the test can validate what the client really sent (not what it meant to send).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedExchange {
  method: string;
  /** Absolute URL on the proxy (`${proxy.url}/users?limit=100`). */
  url: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The raw request body, undefined when there was none. */
  body: string | undefined;
  status: number;
  /** The raw response body ("" for 204). */
  responseBody: string;
}

export interface RecordingProxy {
  url: string;
  exchanges: RecordedExchange[];
  close(): Promise<void>;
}

// Hop-by-hop headers are the proxy's business, not the client's request.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

function readAll(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const exchanges: RecordedExchange[] = [];
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    void (async () => {
      const raw = await readAll(req);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const forwarded: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) forwarded[name] = value;
      forwarded.host = upstream.host;
      if (raw.length) forwarded["content-length"] = String(raw.length);

      const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const out = http.request(new URL(req.url ?? "/", upstream), { method: req.method, headers: forwarded, agent }, (upstreamRes) => {
          readAll(upstreamRes).then((body) => resolve({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body }), reject);
        });
        out.on("error", reject);
        out.end(raw);
      });
      exchanges.push({
        method: req.method ?? "GET",
        url: `${proxyUrl}${req.url ?? "/"}`,
        headers,
        body: raw.length ? raw.toString("utf8") : undefined,
        status: answer.status,
        responseBody: answer.body.toString("utf8"),
      });
      const back: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) back[name] = value;
      back["content-length"] = String(answer.body.length);
      res.writeHead(answer.status, back);
      res.end(answer.body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`recording proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: proxyUrl,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
