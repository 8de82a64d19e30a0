"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { text } from "@/lib/validation/text";
import { failureFromError, invalidInput, type ActionResult } from "@/lib/auth/action";
import { sessionCookieName, sessionCookieOptions } from "@/lib/auth/cookies";
import { createDemoSession, DEMO_DISABLED } from "@/lib/auth/demo";
import { requestContext } from "@/lib/audit/context";
import { currentSessionToken } from "@/lib/auth/session";
import { appendAudit } from "@/lib/audit";
import { env } from "@/lib/config/env";
import { getDb } from "@/lib/db";

const demoSignInInput = z.object({
  personId: text({ error: "personId must be the id of a demo person (text)." })
    .trim()
    .min(1, "Pick a person to sign in as.")
    .max(64, "personId is too long to be a person's id."),
});

/**
 * Demo mode only: sign in as one of the seeded people. Creates a database Session and sets next-auth's
 * own session cookie (next-auth v4 will not issue database sessions for its Credentials provider; see
 * docs/decisions/0003-demo-sign-in.md). Redirects to "/" on success. Accepts {personId} or FormData.
 */
export async function demoSignIn(raw: unknown): Promise<ActionResult> {
  if (!env().demoMode) return { ok: false, error: DEMO_DISABLED };
  const parsed = demoSignInInput.safeParse(raw instanceof FormData ? Object.fromEntries(raw) : raw);
  if (!parsed.success) return invalidInput(parsed.error);
  let expires: Date;
  let sessionToken: string;
  try {
    const ctx = await requestContext();
    ({ sessionToken, expires } = await createDemoSession(await getDb(), parsed.data.personId, { ...ctx, previousSessionToken: await currentSessionToken() }));
  } catch (error) {
    return failureFromError("auth.demoSignIn", null, error);
  }
  (await cookies()).set(sessionCookieName(), sessionToken, sessionCookieOptions(expires));
  redirect("/");
}

/**
 * Ends the current session at once (the Session row is deleted), clears the cookie and returns to the
 * sign-in page. Safe to call when not signed in.
 */
export async function signOut(): Promise<void> {
  const token = await currentSessionToken();
  if (token) {
    try {
      const db = await getDb();
      const { requestId, clientIp } = await requestContext();
      await db.$transaction(async (tx) => {
        const session = await tx.session.findUnique({ where: { sessionToken: token }, include: { person: { select: { email: true } } } });
        if (!session) return;
        await tx.session.delete({ where: { id: session.id } });
        await appendAudit(tx, {
          actor: { type: "person", id: session.personId, label: session.person.email },
          action: "auth.sign_out",
          target: { type: "person", id: session.personId },
          after: { method: "sign-out" },
          requestId,
          clientIp,
        });
      });
    } catch (error) {
      // The cookie is cleared below either way; the failure is logged with a reference.
      failureFromError("auth.signOut", null, error);
    }
  }
  // Same attributes as when set (a __Secure- cookie is only replaced by a Secure one), expired.
  (await cookies()).set(sessionCookieName(), "", { ...sessionCookieOptions(new Date(0)), maxAge: 0 });
  redirect("/signin");
}
