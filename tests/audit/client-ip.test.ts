/**
 * The client address in audit events (issue 11, part 6): counted TRUSTED_PROXY_HOPS from the right of
 * "<X-Forwarded-For as received>, <socket peer>", never the client-controlled left-most entry.
 */
import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { CLIENT_CHAIN_HEADER, clientIpFromChain, contextFromHeaders } from "@/lib/audit/context";
import { installClientChainHook } from "@/lib/audit/socket-peer";
import { parseEnv } from "@/lib/config/env";

describe("the client address behind N trusted proxies", () => {
  // [X-Forwarded-For as received ("" = none), socket peer, hops, client address recorded]
  const table: [string, string, number, string | null][] = [
    // No proxy of ours (the default): the socket peer, whatever X-Forwarded-For the client wrote.
    ["", "198.51.100.20", 0, "198.51.100.20"],
    ["203.0.113.66", "198.51.100.20", 0, "198.51.100.20"],
    ["1.1.1.1, 2.2.2.2", "::ffff:198.51.100.20", 0, "198.51.100.20"],
    // One proxy (it appends the address that connected to it): the right-most entry.
    ["198.51.100.7", "10.0.0.2", 1, "198.51.100.7"],
    ["203.0.113.66, 198.51.100.7", "10.0.0.2", 1, "198.51.100.7"], // the forged left-most entry is ignored
    // Two proxies (CDN, then load balancer): the second entry from the right.
    ["203.0.113.66, 198.51.100.7, 172.16.0.9", "10.0.0.2", 2, "198.51.100.7"],
    ["2001:db8::7, 172.16.0.9", "10.0.0.2", 2, "2001:db8::7"],
    ["[2001:db8::8]:443, 172.16.0.9", "10.0.0.2", 2, "2001:db8::8"],
    ["198.51.100.4:51234", "10.0.0.2", 1, "198.51.100.4"],
    // Fewer entries than proxies (the request did not come through all of them): no address.
    ["", "10.0.0.2", 1, null],
    ["198.51.100.7", "10.0.0.2", 2, null],
    // What is there is not an address: no address, never the text.
    ["<script>", "10.0.0.2", 1, null],
    ["unknown", "10.0.0.2", 1, null],
  ];

  it.each(table)("X-Forwarded-For %j from peer %s behind %i hop(s) → %s", (forwarded, peer, hops, expected) => {
    const chain = forwarded ? `${forwarded}, ${peer}` : peer;
    expect(clientIpFromChain(chain, hops)).toBe(expected);
    const h = new Headers({ [CLIENT_CHAIN_HEADER]: chain, "x-forwarded-for": "203.0.113.99", "x-real-ip": "203.0.113.98" });
    expect(contextFromHeaders(h, { trustedProxyHops: hops, chainTrusted: true }).clientIp).toBe(expected);
  });

  it("TRUSTED_PROXY_HOPS defaults to 0 and is validated", () => {
    expect(parseEnv({ DEMO_MODE: "true" }).trustedProxyHops).toBe(0);
    expect(parseEnv({ DEMO_MODE: "true", TRUSTED_PROXY_HOPS: "2" }).trustedProxyHops).toBe(2);
    expect(() => parseEnv({ DEMO_MODE: "true", TRUSTED_PROXY_HOPS: "-1" })).toThrow(/cannot be negative/);
    expect(() => parseEnv({ DEMO_MODE: "true", TRUSTED_PROXY_HOPS: "one" })).toThrow(/whole number/);
  });
});

describe("the server hook records the chain before the app sees the request", () => {
  it("appends the socket peer to X-Forwarded-For as received, and overwrites a chain header a client sent", async () => {
    installClientChainHook();
    const seen: (string | string[] | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers[CLIENT_CHAIN_HEADER]);
      res.end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await fetch(url, { headers: { "x-forwarded-for": "203.0.113.66", [CLIENT_CHAIN_HEADER]: "198.51.100.1" } });
      await fetch(url);
    } finally {
      server.close();
    }
    expect(seen).toEqual(["203.0.113.66, 127.0.0.1", "127.0.0.1"]);
    expect(clientIpFromChain(String(seen[0]), 0)).toBe("127.0.0.1");
  });
});
