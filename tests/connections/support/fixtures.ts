import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db";
import { sealSecret } from "@/lib/connections/credential";
import { KEYS } from "./pagerduty";

let counter = 0;

/**
 * A connection row written directly (as a checked one would be), for tests that act on an existing
 * connection. Its API key is sealed like the service seals it.
 */
export async function insertConnection(db: Db, opts: { ownerPersonId: string; apiBaseUrl: string; apiKey?: string; name?: string; lastRotatedAt?: Date }) {
  const id = randomUUID();
  const name = opts.name ?? `Account ${Date.now().toString(36)}-${++counter}`;
  return db.pagerDutyConnection.create({
    data: {
      id,
      name,
      activeName: name.toLowerCase(),
      subdomain: "acme",
      region: "US",
      apiBaseUrl: opts.apiBaseUrl,
      credentialKind: "API_KEY",
      secretCiphertext: sealSecret(id, { kind: "API_KEY", apiKey: opts.apiKey ?? KEYS.full }),
      credentialFingerprint: "f".repeat(64),
      accessLevel: "FULL",
      readOnly: false,
      abilities: ["teams"],
      ownerPersonId: opts.ownerPersonId,
      purpose: "Sync for access reviews",
      lastRotatedAt: opts.lastRotatedAt ?? new Date(),
    },
  });
}
