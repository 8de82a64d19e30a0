/**
 * Secret box: AES-256-GCM for secrets at rest (PagerDuty API keys, OAuth client secrets).
 *
 * Format (one ASCII string, safe for a text column):
 *
 *     v1.<keyId>.<iv>.<tag>.<ciphertext>
 *
 * - `v1`: format version, so the format can change without guessing.
 * - `keyId`: 8 hex characters naming the key that sealed it (a SHA-256 prefix of the key, with a domain
 *   label; it identifies the key without revealing anything usable about it). Decryption picks the key by
 *   this id, which is how the current and the previous key coexist during a key rotation.
 * - `iv`: 96 random bits, new for every encryption (GCM's nonce; never reused with a key in practice:
 *   the collision bound for random 96-bit nonces is far beyond the number of secrets a portal stores).
 * - `tag`: GCM's 128-bit authentication tag. Any flipped bit in iv, tag, ciphertext, header or AAD makes
 *   decryption fail instead of returning garbage.
 * - AAD (authenticated, not stored): the header (`v1.<keyId>`) and a caller-supplied context naming the
 *   row and purpose, e.g. `PagerDutyConnection:<id>:api_key`. A ciphertext copied into another row, or
 *   used for another purpose, does not decrypt.
 * iv, tag and ciphertext are base64url without padding.
 *
 * Plain Node (no Next.js imports): the re-encryption script uses it too. Errors never carry the
 * plaintext, the ciphertext or key material.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export const SECRET_BOX_VERSION = "v1";
const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BOX_SHAPE = /^v1\.([0-9a-f]{8})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]*)$/;

/** The keys in use: `current` seals; `previous` (during a key rotation) still opens. */
export interface Keyring {
  current: Buffer;
  previous?: Buffer | null;
}

/** A secret could not be sealed or opened. The message says why, never what. */
export class SecretBoxError extends Error {
  constructor(
    message: string,
    public readonly reason: "malformed" | "unknown_key" | "authentication_failed" | "invalid_key" | "invalid_context",
  ) {
    super(message);
    this.name = "SecretBoxError";
  }
}

function checkKey(key: Buffer, label: string) {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new SecretBoxError(`${label} must be exactly 32 bytes (AES-256)`, "invalid_key");
  }
}

function checkContext(context: string) {
  if (typeof context !== "string" || context.length === 0) {
    throw new SecretBoxError("a secret must be bound to a non-empty context (row and purpose)", "invalid_context");
  }
}

/** Public name of a key: 8 hex characters of SHA-256 over a domain label and the key. */
export function keyId(key: Buffer): string {
  checkKey(key, "the encryption key");
  return createHash("sha256").update("pagerduty-portal/secret-box/key-id\0").update(key).digest("hex").slice(0, 8);
}

function aad(id: string, context: string): Buffer {
  return Buffer.from(`${SECRET_BOX_VERSION}.${id}\0${context}`, "utf8");
}

/** Seal `plaintext` with the keyring's current key, bound to `context`. */
export function encryptSecret(plaintext: string, context: string, keyring: Keyring): string {
  checkKey(keyring.current, "the current encryption key");
  checkContext(context);
  if (typeof plaintext !== "string") throw new SecretBoxError("only text secrets can be sealed", "malformed");
  const id = keyId(keyring.current);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, keyring.current, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(id, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [SECRET_BOX_VERSION, id, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(".");
}

interface ParsedBox {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function parse(box: string): ParsedBox {
  const m = typeof box === "string" ? BOX_SHAPE.exec(box) : null;
  if (!m) throw new SecretBoxError("the stored secret is not in the expected format (v1.<keyId>.<iv>.<tag>.<ciphertext>)", "malformed");
  return { keyId: m[1]!, iv: Buffer.from(m[2]!, "base64url"), tag: Buffer.from(m[3]!, "base64url"), ciphertext: Buffer.from(m[4]!, "base64url") };
}

/** The id of the key that sealed `box` (throws SecretBoxError when the box is malformed). */
export function sealedWithKeyId(box: string): string {
  return parse(box).keyId;
}

function keyFor(id: string, keyring: Keyring): Buffer {
  checkKey(keyring.current, "the current encryption key");
  if (keyId(keyring.current) === id) return keyring.current;
  if (keyring.previous) {
    checkKey(keyring.previous, "the previous encryption key");
    if (keyId(keyring.previous) === id) return keyring.previous;
  }
  throw new SecretBoxError(
    `the stored secret was encrypted with a key that is not configured (key id ${id}); set ENCRYPTION_KEY_PREVIOUS to the key it was encrypted with, or enter the credential again`,
    "unknown_key",
  );
}

/** Open `box` with whichever configured key sealed it; `context` must be the one it was sealed with. */
export function decryptSecret(box: string, context: string, keyring: Keyring): string {
  checkContext(context);
  const parsed = parse(box);
  const key = keyFor(parsed.keyId, keyring);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, parsed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(parsed.keyId, context));
    decipher.setAuthTag(parsed.tag);
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("the stored secret failed its integrity check: it was altered, or belongs to another record", "authentication_failed");
  }
}

/** Is `box` sealed with a key other than the current one? */
export function needsReencryption(box: string, keyring: Keyring): boolean {
  return parse(box).keyId !== keyId(keyring.current);
}

/**
 * Re-seal `box` with the current key (open it with whichever configured key sealed it). Returns the same
 * string when it is already sealed with the current key.
 */
export function reencryptSecret(box: string, context: string, keyring: Keyring): string {
  if (!needsReencryption(box, keyring)) {
    decryptSecret(box, context, keyring); // still proves it opens
    return box;
  }
  return encryptSecret(decryptSecret(box, context, keyring), context, keyring);
}
