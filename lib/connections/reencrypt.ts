/**
 * Key rotation for secrets at rest: re-seals every stored connection credential with the current
 * ENCRYPTION_KEY. Plain Node (used by `npm run credentials:reencrypt`).
 *
 * Each row is re-sealed in its own transaction, with the row locked and compared, so a credential rotated
 * by a person meanwhile is not overwritten. A row that does not open with either configured key is
 * reported (by id and name, never with its ciphertext) and left as it is. Running it again is harmless:
 * rows already sealed with the current key are only verified.
 */
import { reencryptSecret, sealedWithKeyId, keyId, SecretBoxError, type Keyring } from "@/lib/crypto";
import type { Db } from "@/lib/db";
import { secretContext } from "./credential";

export interface ReencryptReport {
  examined: number;
  reencrypted: number;
  alreadyCurrent: number;
  /** Rows that could not be opened with either key (altered, or sealed with a key that is not configured). */
  failed: { id: string; name: string; reason: string }[];
  currentKeyId: string;
}

export async function reencryptAllCredentials(db: Db, keyring: Keyring): Promise<ReencryptReport> {
  const currentKeyId = keyId(keyring.current);
  const report: ReencryptReport = { examined: 0, reencrypted: 0, alreadyCurrent: 0, failed: [], currentKeyId };
  // Removed connections hold no credential (the ciphertext was erased on removal).
  const rows = await db.pagerDutyConnection.findMany({
    where: { secretCiphertext: { not: "" } },
    select: { id: true, name: true, credentialKind: true, secretCiphertext: true },
    orderBy: { id: "asc" },
  });
  for (const row of rows) {
    report.examined++;
    let next: string;
    try {
      next = reencryptSecret(row.secretCiphertext, secretContext(row.id, row.credentialKind), keyring);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      report.failed.push({ id: row.id, name: row.name, reason: error.message });
      continue;
    }
    if (next === row.secretCiphertext) {
      report.alreadyCurrent++;
      continue;
    }
    const written = await db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "id" FROM "PagerDutyConnection" WHERE "id" = ${row.id} FOR UPDATE`;
      // Only if nobody rotated it meanwhile. updatedAt is kept: re-sealing is not a change of the
      // connection, and the optimistic checks of the connection actions compare it.
      const current = await tx.pagerDutyConnection.findUnique({ where: { id: row.id }, select: { secretCiphertext: true, updatedAt: true } });
      if (!current || current.secretCiphertext !== row.secretCiphertext) return false;
      await tx.pagerDutyConnection.update({ where: { id: row.id }, data: { secretCiphertext: next, updatedAt: current.updatedAt } });
      return true;
    });
    if (written) report.reencrypted++;
    else if (sealedWithKeyId(row.secretCiphertext) !== currentKeyId) report.failed.push({ id: row.id, name: row.name, reason: "changed while re-encrypting: run the command again" });
  }
  return report;
}
