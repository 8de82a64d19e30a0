/**
 * The secret box (lib/crypto): AES-256-GCM with a versioned format, key id, random IV, auth tag and AAD.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, keyId, needsReencryption, reencryptSecret, sealedWithKeyId, SecretBoxError, type Keyring } from "@/lib/crypto";

const OLD = randomBytes(32);
const NEW = randomBytes(32);
const SECRET = "u+Plain_Text-Key_0001";
const CTX = "PagerDutyConnection:abc:api_key";

function flip(box: string, part: number, at = 0): string {
  const parts = box.split(".");
  const bytes = Buffer.from(parts[part]!, part >= 2 ? "base64url" : "utf8");
  if (part >= 2) {
    bytes[at] = bytes[at]! ^ 0x01;
    parts[part] = bytes.toString("base64url");
  } else {
    parts[part] = parts[part]!.replace(/^./, (c) => (c === "a" ? "b" : "a"));
  }
  return parts.join(".");
}

function failure(run: () => unknown): SecretBoxError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error("expected a SecretBoxError");
}

describe("secret box", () => {
  it("round-trips, with the format v1.<keyId>.<iv>.<tag>.<ciphertext> and a fresh IV every time", () => {
    const keyring: Keyring = { current: NEW };
    const a = encryptSecret(SECRET, CTX, keyring);
    const b = encryptSecret(SECRET, CTX, keyring);
    expect(a).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(a.split(".")[1]).toBe(keyId(NEW));
    expect(a).not.toBe(b); // random 96-bit IV
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
    expect(a).not.toContain(SECRET);
    expect(Buffer.from(a.split(".")[4]!, "base64url").toString("utf8")).not.toContain(SECRET);
    expect(decryptSecret(a, CTX, keyring)).toBe(SECRET);
    expect(decryptSecret(b, CTX, keyring)).toBe(SECRET);
    expect(decryptSecret(encryptSecret("", CTX, keyring), CTX, keyring)).toBe("");
    expect(decryptSecret(encryptSecret("ünïcødé ✓", CTX, keyring), CTX, keyring)).toBe("ünïcødé ✓");
  });

  it("detects tampering: a flipped bit in the ciphertext, the tag or the IV, or a changed key id, fails", () => {
    const keyring: Keyring = { current: NEW };
    const box = encryptSecret(SECRET, CTX, keyring);
    for (const [part, at] of [[4, 0], [4, 5], [3, 0], [3, 15], [2, 0], [2, 11]] as const) {
      const e = failure(() => decryptSecret(flip(box, part, at), CTX, keyring));
      expect(e.reason).toBe("authentication_failed");
      expect(e.message).not.toContain(SECRET);
    }
    expect(failure(() => decryptSecret(flip(box, 1), CTX, keyring)).reason).toBe("unknown_key");
    expect(failure(() => decryptSecret(box.replace(/^v1/, "v2"), CTX, keyring)).reason).toBe("malformed");
    expect(failure(() => decryptSecret(box.slice(0, -3), CTX, keyring)).reason).toBe("authentication_failed");
    expect(failure(() => decryptSecret("not a box", CTX, keyring)).reason).toBe("malformed");
  });

  it("binds the ciphertext to its row and purpose (AAD): another context does not open it", () => {
    const keyring: Keyring = { current: NEW };
    const box = encryptSecret(SECRET, CTX, keyring);
    for (const other of ["PagerDutyConnection:abd:api_key", "PagerDutyConnection:abc:oauth_client_secret", `${CTX} `]) {
      const e = failure(() => decryptSecret(box, other, keyring));
      expect(e.reason).toBe("authentication_failed");
      expect(e.message).toMatch(/altered, or belongs to another record/);
    }
    expect(failure(() => encryptSecret(SECRET, "", keyring)).reason).toBe("invalid_context");
  });

  it("opens with the previous key during a key rotation; re-encrypts onto the current key", () => {
    const before = encryptSecret(SECRET, CTX, { current: OLD });
    const rotating: Keyring = { current: NEW, previous: OLD };
    expect(decryptSecret(before, CTX, rotating)).toBe(SECRET);
    expect(needsReencryption(before, rotating)).toBe(true);
    const after = reencryptSecret(before, CTX, rotating);
    expect(sealedWithKeyId(after)).toBe(keyId(NEW));
    expect(needsReencryption(after, rotating)).toBe(false);
    expect(reencryptSecret(after, CTX, rotating)).toBe(after); // idempotent
    // Once the previous key is gone, only the re-encrypted one opens.
    expect(decryptSecret(after, CTX, { current: NEW })).toBe(SECRET);
    const e = failure(() => decryptSecret(before, CTX, { current: NEW }));
    expect(e.reason).toBe("unknown_key");
    expect(e.message).toMatch(/ENCRYPTION_KEY_PREVIOUS/);
    // The previous key never seals.
    expect(sealedWithKeyId(encryptSecret(SECRET, CTX, rotating))).toBe(keyId(NEW));
  });

  it("refuses keys of the wrong size", () => {
    expect(failure(() => encryptSecret(SECRET, CTX, { current: randomBytes(16) })).reason).toBe("invalid_key");
    expect(keyId(NEW)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyId(NEW)).not.toBe(keyId(OLD));
  });
});
