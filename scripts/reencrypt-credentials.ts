/**
 * npm run credentials:reencrypt
 *
 * After changing ENCRYPTION_KEY: re-seals every stored PagerDuty credential with the new key.
 *   1. ENCRYPTION_KEY_PREVIOUS=<the old key>, ENCRYPTION_KEY=<the new key> (openssl rand -base64 32)
 *   2. npm run credentials:reencrypt      (safe to run again; rows already on the new key are only verified)
 *   3. when it reports no failures, remove ENCRYPTION_KEY_PREVIOUS
 * See docs/decisions/0006-credential-encryption.md. Prints a JSON report as its last line; exit code 1
 * when a credential could not be re-sealed (its connection needs a credential rotation in the portal).
 */
import { ConfigError, env } from "@/lib/config/env";
import { keyId, keyringFromEnv } from "@/lib/crypto";
import { reencryptAllCredentials } from "@/lib/connections/reencrypt";
import { getDb, getDbHandle } from "@/lib/db";

async function main(): Promise<number> {
  const config = env();
  const keyring = keyringFromEnv();
  if (!config.encryptionKeyPrevious) {
    console.info("ENCRYPTION_KEY_PREVIOUS is not set: only verifying that every credential opens with ENCRYPTION_KEY.");
  } else if (keyId(config.encryptionKeyPrevious) === keyId(config.encryptionKey)) {
    console.error("ENCRYPTION_KEY_PREVIOUS is the same key as ENCRYPTION_KEY: set ENCRYPTION_KEY to the new key.");
    return 2;
  }
  const db = await getDb();
  try {
    const report = await reencryptAllCredentials(db, keyring);
    for (const f of report.failed) console.error(`Connection "${f.name}" (${f.id}): ${f.reason}`);
    if (report.failed.length) console.error(`${report.failed.length} credential(s) could not be re-sealed: rotate them on the Connections page, then run this again.`);
    else console.info(`Done: ${report.reencrypted} re-sealed with key ${report.currentKeyId}, ${report.alreadyCurrent} already on it.${config.encryptionKeyPrevious ? " You can now remove ENCRYPTION_KEY_PREVIOUS." : ""}`);
    console.log(JSON.stringify(report));
    return report.failed.length ? 1 : 0;
  } finally {
    await getDbHandle()?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(`credentials:reencrypt failed: ${error instanceof Error ? error.name + ": " + error.message : "unknown error"}`);
    process.exit(1);
  },
);
