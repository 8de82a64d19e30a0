/**
 * A request's history: one AccessRequestEvent per step (kept forever, append-only by trigger), written in
 * the transaction of the step, beside its audit event.
 */
import { randomUUID } from "node:crypto";
import type { Tx } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";

export type RequestEventKind =
  | "requested"
  | "approval"
  | "approved"
  | "denied"
  | "grant_requested"
  | "grant_verified"
  | "grant_failed"
  | "extension_requested"
  | "extended"
  | "revoked"
  | "end_requested"
  | "end_verified"
  | "ended"
  | "end_failed"
  | "superseded"
  | "timed_out"
  | "cancelled"
  | "reminded"
  | "escalated"
  | "drift"
  | "expiry_notice";

export async function recordEvent(tx: Tx, requestId: string, kind: RequestEventKind, actorLabel: string, message: string, at: Date, detail?: unknown): Promise<void> {
  await tx.accessRequestEvent.create({
    data: { id: randomUUID(), requestId, kind, actorLabel, message, at, detail: detail === undefined ? Prisma.DbNull : (JSON.parse(JSON.stringify(detail)) as Prisma.InputJsonValue) },
  });
}

export const requestRef = (n: number): string => `REQ-${n}`;
