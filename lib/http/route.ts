/**
 * What every route handler (app/**\/route.ts) answers with, in one place: bad input is a 4xx with a message
 * a person can act on (never a bare 500), a thrown error maps to 401/403/404/400, and anything unexpected
 * is logged with a reference and answered with that reference (lib/auth/action's failureFromError).
 * Exports that write (an audit event) are POST-only: `methodNotAllowed` answers their GET, and
 * `refuseCrossSite` refuses a POST another site's page sent.
 */
import type { z } from "zod";
import { failureFromError } from "@/lib/auth/action";
import { AuthenticationError, AuthorizationError, DomainError } from "@/lib/auth/errors";

const NO_STORE = { "cache-control": "no-store" };

export const jsonError = (status: number, error: string, headers: Record<string, string> = {}) => Response.json({ error }, { status, headers: { ...NO_STORE, ...headers } });

/** 400 with zod's issues as one sentence, each prefixed by the field it is about. */
export function invalidRequest(error: z.ZodError): Response {
  return jsonError(400, `The request is not valid: ${error.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`).join("; ")}`);
}

/** 405 for a method the route does not take, saying how to do it instead. */
export const methodNotAllowed = (allow: string, how: string) => jsonError(405, how, { allow });

/** The answer to a thrown error: 401 not signed in, 403 not allowed, 404/400 a domain refusal, else 500 with a reference. */
export function errorResponse(name: string, err: unknown, forbidden: string): Response {
  if (err instanceof AuthenticationError) return jsonError(401, "Sign in first.");
  if (err instanceof AuthorizationError) return jsonError(403, forbidden);
  if (err instanceof DomainError) return jsonError(/not found|no campaign|no item/i.test(err.message) ? 404 : 400, err.message);
  return jsonError(500, failureFromError(name, null, err).error);
}

export const notFound = (what: string) => jsonError(404, `No ${what} with this id, or it is not yours to see.`);
export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/**
 * A POST sent by another site's page (a form or fetch on evil.example) is refused: the browser says so in
 * Sec-Fetch-Site, or its Origin names another host than the one the request was sent to. Requests without
 * either header (curl, scripts, tests) pass: they carry no ambient browser session of a victim. The session
 * cookie is SameSite=Lax as well, so a cross-site POST carries no session in the first place.
 */
export function refuseCrossSite(request: Request): Response | null {
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host") || new URL(request.url).host;
  let foreign = site === "cross-site";
  if (!foreign && origin) {
    try {
      foreign = origin === "null" || new URL(origin).host !== host;
    } catch {
      foreign = true;
    }
  }
  return foreign ? jsonError(403, "This export must be started from the portal's own page, not from another site.") : null;
}

const MAX_FORM_BYTES = 64 * 1024;

/**
 * The fields of a POST body: an HTML form (urlencoded or multipart), a JSON object of strings, or nothing.
 * Anything else is a 4xx with a message (a file, a body too large, a body that does not parse).
 */
export async function readFields(request: Request): Promise<Record<string, string> | Response> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_FORM_BYTES) return jsonError(413, "The request body is too large for a form of export options.");
  try {
    if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
      const fields: Record<string, string> = {};
      for (const [key, value] of await request.formData()) {
        if (typeof value !== "string") return jsonError(400, `The field ${key} must be text, not a file.`);
        fields[key] ??= value;
      }
      return fields;
    }
    const text = await request.text();
    if (text.length > MAX_FORM_BYTES) return jsonError(413, "The request body is too large for a form of export options.");
    if (!text.trim()) return {};
    if (type !== "application/json") return jsonError(415, "Send the export options as a form (application/x-www-form-urlencoded) or as JSON.");
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
      return jsonError(400, "The JSON body must be an object whose values are text.");
    }
    return value as Record<string, string>;
  } catch {
    return jsonError(400, "The request body could not be read as a form or as JSON.");
  }
}
