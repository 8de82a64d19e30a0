/**
 * IP addresses and host names, as the egress guard (./egress.ts) needs them: pure functions, no I/O.
 *
 * - `parseIPv4` reads every spelling inet_aton and the WHATWG URL parser accept (decimal 2852039166, hex
 *   0xa9fea9fe, octal 0177.0.0.1, short forms 127.1) and returns the four bytes, so no spelling slips past.
 * - `parseIPv6` expands any textual IPv6 form (::, embedded dotted IPv4, zone ids) to sixteen bytes.
 * - `classifyAddress` says why an address must not receive a credential: loopback, private, link-local,
 *   cloud metadata, unspecified… or null for an ordinary public address. IPv4 addresses embedded in IPv6
 *   (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are classified by the
 *   IPv4 address inside them.
 * - `parseHostEntry` reads one PAGERDUTY_ALLOWED_HOSTS entry (host or host:port).
 */
import net from "node:net";

export type AddressClass =
  | "loopback"
  | "private"
  | "shared"
  | "link-local"
  | "metadata"
  | "unspecified"
  | "multicast"
  | "reserved"
  | "documentation";

/** Words for a message: "169.254.169.254 is a cloud metadata address". */
export const ADDRESS_CLASS_WORDS: Record<AddressClass, string> = {
  loopback: "a loopback address",
  private: "a private network address",
  shared: "a carrier-grade NAT (shared) address",
  "link-local": "a link-local address",
  metadata: "a cloud metadata address",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  reserved: "a reserved address",
  documentation: "a documentation-only address",
};

/** The four bytes of an IPv4 address in any spelling inet_aton accepts, or null. */
export function parseIPv4(text: string): [number, number, number, number] | null {
  const parts = text.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop(); // "127.0.0.1." is a valid spelling
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return null;
    if (!Number.isSafeInteger(value)) return null;
    numbers.push(value);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255)) return null;
  const lastBytes = 4 - numbers.length;
  if (last >= 256 ** lastBytes) return null;
  const bytes = [...numbers];
  for (let i = lastBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes as [number, number, number, number];
}

/** Sixteen bytes of an IPv6 address (brackets and a zone id tolerated), or null. */
export function parseIPv6(text: string): number[] | null {
  let s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  s = s.split("%")[0]!;
  if (!net.isIPv6(s)) return null;
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, rest] = s.includes("::") ? (s.split("::") as [string, string]) : [s, undefined];
  const headGroups = head ? head.split(":") : [];
  const restGroups = rest ? rest.split(":") : [];
  const missing = 8 - headGroups.length - restGroups.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return null;
  const groups = [...headGroups, ...Array<string>(rest === undefined ? 0 : missing).fill("0"), ...restGroups];
  const bytes: number[] = [];
  for (const g of groups) {
    const v = parseInt(g, 16);
    if (!/^[0-9a-f]{1,4}$/i.test(g) || Number.isNaN(v)) return null;
    bytes.push(v >> 8, v & 0xff);
  }
  return bytes.length === 16 ? bytes : null;
}

const inV4 = (b: readonly number[], prefix: readonly number[], bits: number): boolean => {
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    if (take === 0) return true;
    const mask = (0xff << (8 - take)) & 0xff;
    if ((b[i]! & mask) !== (prefix[i]! & mask)) return false;
  }
  return true;
};

const METADATA_V4 = new Set(["169.254.169.254", "169.254.170.2", "169.254.169.123", "100.100.100.200"]);

function classifyV4(b: readonly number[]): AddressClass | null {
  const dotted = b.join(".");
  if (METADATA_V4.has(dotted)) return "metadata";
  if (inV4(b, [0, 0, 0, 0], 8)) return "unspecified";
  if (inV4(b, [127, 0, 0, 0], 8)) return "loopback";
  if (inV4(b, [10, 0, 0, 0], 8) || inV4(b, [172, 16, 0, 0], 12) || inV4(b, [192, 168, 0, 0], 16)) return "private";
  if (inV4(b, [100, 64, 0, 0], 10)) return "shared";
  if (inV4(b, [169, 254, 0, 0], 16)) return "link-local";
  if (inV4(b, [192, 0, 2, 0], 24) || inV4(b, [198, 51, 100, 0], 24) || inV4(b, [203, 0, 113, 0], 24)) return "documentation";
  if (inV4(b, [192, 0, 0, 0], 24) || inV4(b, [198, 18, 0, 0], 15) || inV4(b, [240, 0, 0, 0], 4)) return "reserved";
  if (inV4(b, [224, 0, 0, 0], 4)) return "multicast";
  return null;
}

function classifyV6(b: readonly number[]): AddressClass | null {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const word = (i: number) => (b[i]! << 8) | b[i + 1]!;
  if (zero(0, 16)) return "unspecified";
  if (zero(0, 15) && b[15] === 1) return "loopback";
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d: the IPv4 address decides.
  if (zero(0, 10) && word(10) === 0xffff) return classifyV4(b.slice(12)) ?? null;
  if (zero(0, 12)) return classifyV4(b.slice(12)) ?? "reserved";
  // NAT64 well-known prefix 64:ff9b::/96 (the IPv4 address decides); local-use 64:ff9b:1::/48.
  if (word(0) === 0x64 && word(2) === 0xff9b && zero(4, 12)) return classifyV4(b.slice(12));
  if (word(0) === 0x64 && word(2) === 0xff9b && word(4) === 1) return "private";
  // 6to4 2002:AABB:CCDD::/48 embeds the IPv4 address AA.BB.CC.DD.
  if (word(0) === 0x2002) return classifyV4(b.slice(2, 6));
  if (word(0) === 0x2001 && word(2) === 0) return "reserved"; // Teredo: tunnels to an obfuscated IPv4 address
  if (word(0) === 0x2001 && word(2) === 0x0db8) return "documentation";
  if (word(0) === 0x0100 && zero(2, 8)) return "reserved"; // discard-only 100::/64
  if (word(0) === 0xfd00 && word(2) === 0x0ec2 && zero(4, 14) && word(14) === 0x254) return "metadata"; // AWS fd00:ec2::254
  if ((b[0]! & 0xfe) === 0xfc) return "private"; // unique local fc00::/7
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return "link-local"; // fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return "private"; // site-local fec0::/10 (deprecated)
  if (b[0] === 0xff) return "multicast";
  return null;
}

/**
 * Why this address must not receive a credential, or null for an ordinary public unicast address. A string
 * that is not an IP address at all is "reserved" (fail closed).
 */
export function classifyAddress(address: string): AddressClass | null {
  const v6 = parseIPv6(address);
  if (v6) return classifyV6(v6);
  const v4 = parseIPv4(address);
  if (v4) return classifyV4(v4);
  return "reserved";
}

/** Is this host name an IP literal (in any spelling)? Returns its canonical text, or null for a name. */
export function ipLiteral(hostname: string): string | null {
  const v6 = parseIPv6(hostname);
  if (v6) return hostname.startsWith("[") ? hostname : `[${hostname}]`;
  const v4 = parseIPv4(hostname);
  return v4 ? v4.join(".") : null;
}

/** Names that always mean this machine (RFC 6761), whatever a resolver says. */
export function isLocalhostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost");
}

export interface HostEntry {
  /** Host as the WHATWG URL parser normalises it: lower case, IPv4 in dotted decimal, IPv6 in brackets. */
  host: string;
  /** A port, or null for any port. */
  port: number | null;
}

/**
 * One allow-list entry: `host` or `host:port` (IPv6 in brackets: `[::1]:8080`). Normalised through the URL
 * parser, so `0x7f.1` and `127.0.0.1` are the same entry. Returns an error sentence for anything else.
 */
export function parseHostEntry(raw: string): HostEntry | { error: string } {
  const entry = raw.trim();
  if (entry === "") return { error: "an empty entry" };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) return { error: `"${entry}" has a scheme: list the host only, e.g. ${entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0]}` };
  if (/[/?#@\s*]/.test(entry)) return { error: `"${entry}" is not a host: list a host name or host:port, without path, user, spaces or wildcards` };
  let url: URL;
  try {
    url = new URL(`http://${entry}`);
  } catch {
    return { error: `"${entry}" is not a valid host or host:port` };
  }
  const explicitPort = /:(\d+)$/.exec(entry);
  if (explicitPort) {
    const port = Number(explicitPort[1]);
    if (port < 1 || port > 65535) return { error: `"${entry}" has a port outside 1-65535` };
    return { host: url.hostname, port };
  }
  return { host: url.hostname, port: null };
}
