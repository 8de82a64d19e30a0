/**
 * Public surface of lib/crypto. Plain Node: usable from server code and scripts, never from the browser.
 */
import { env } from "@/lib/config/env";
import type { Keyring } from "./secret-box";

export {
  encryptSecret,
  decryptSecret,
  reencryptSecret,
  needsReencryption,
  sealedWithKeyId,
  keyId,
  SecretBoxError,
  SECRET_BOX_VERSION,
  type Keyring,
} from "./secret-box";

/** The portal's keys: ENCRYPTION_KEY seals and opens; ENCRYPTION_KEY_PREVIOUS (during a rotation) only opens. */
export function keyringFromEnv(): Keyring {
  const e = env();
  return { current: e.encryptionKey, previous: e.encryptionKeyPrevious };
}
