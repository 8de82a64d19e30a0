import "server-only";
import { randomUUID } from "node:crypto";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { can, type Permission } from "./access";
import { AuthenticationError, AuthorizationError, DomainError } from "./errors";
import { requestContext } from "@/lib/audit/context";
import { getActor, type Actor } from "./session";

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; error: string; fieldErrors?: Record<string, string[]> };

export interface ActionContext<I> {
  actor: Actor;
  input: I;
  requestId: string | null;
  clientIp: string | null;
}

export interface ActionDefinition<S extends z.ZodType, T> {
  /** Stable name, used in logs, e.g. "people.setRoles". */
  name: string;
  input: S;
  permission: Permission;
  run: (ctx: ActionContext<z.infer<S>>) => Promise<T>;
  /** Optional confirmation shown to the person on success. */
  message?: string | ((data: T) => string);
}

const NOT_SIGNED_IN = "You are not signed in, or your session has ended. Sign in and try again.";
const FORBIDDEN = "You don't have permission to do this.";

/**
 * The wrapper every server action uses. Server actions are public endpoints, so on every call:
 * authenticate → validate (zod) → authorize → run. Known failures become `ok: false` with a message a
 * person can act on; anything unexpected is logged server-side with a reference id and answered
 * generically — never thrown to the client as a 500. next/navigation's redirect()/notFound() pass through.
 */
export function defineAction<S extends z.ZodType, T>(opts: ActionDefinition<S, T>): (raw: unknown) => Promise<ActionResult<T>> {
  return async (raw: unknown): Promise<ActionResult<T>> => {
    let actor: Actor | null = null;
    try {
      actor = await getActor();
      if (!actor) return { ok: false, error: NOT_SIGNED_IN };

      const parsed = opts.input.safeParse(raw);
      if (!parsed.success) return invalidInput(parsed.error);

      if (!can(actor, opts.permission)) return { ok: false, error: FORBIDDEN };

      const { requestId, clientIp } = await requestContext();
      const data = await opts.run({ actor, input: parsed.data as z.infer<S>, requestId, clientIp });
      const message = typeof opts.message === "function" ? opts.message(data) : opts.message;
      return message === undefined ? { ok: true, data } : { ok: true, data, message };
    } catch (error) {
      unstable_rethrow(error);
      return failureFromError(opts.name, actor, error);
    }
  };
}

/** Turns a zod error into one summary line plus per-field messages ("roles", "reason", …). */
export function invalidInput(error: z.ZodError): { ok: false; error: string; fieldErrors?: Record<string, string[]> } {
  const fieldErrors: Record<string, string[]> = {};
  const formErrors: string[] = [];
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    const message = humanIssue(issue);
    if (key) (fieldErrors[key] ??= []).push(message);
    else formErrors.push(message);
  }
  const summary = [
    ...formErrors,
    ...Object.entries(fieldErrors).map(([field, messages]) => `${field}: ${messages.join("; ")}`),
  ].join(" ");
  const base = { ok: false as const, error: `The request is not valid. ${summary}`.trim() };
  return Object.keys(fieldErrors).length ? { ...base, fieldErrors } : base;
}

function humanIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.path.length === 0) return "Expected an object with the action's fields.";
  if (issue.code === "invalid_type" && issue.input === undefined) return "This field is required.";
  if (issue.code === "unrecognized_keys") return `Unknown field(s): ${issue.keys.join(", ")}.`;
  return issue.message.endsWith(".") ? issue.message : `${issue.message}.`;
}

/** Maps a thrown error to a result a person can act on; unexpected errors are logged with a reference. */
export function failureFromError(name: string, actor: Actor | null, error: unknown): { ok: false; error: string; fieldErrors?: Record<string, string[]> } {
  if (error instanceof AuthenticationError) return { ok: false, error: error.message || NOT_SIGNED_IN };
  if (error instanceof AuthorizationError) return { ok: false, error: error.message || FORBIDDEN };
  if (error instanceof DomainError) return error.fieldErrors ? { ok: false, error: error.message, fieldErrors: error.fieldErrors } : { ok: false, error: error.message };
  if (error instanceof z.ZodError) return invalidInput(error);
  const reference = randomUUID().slice(0, 8);
  // Name, code and stack only: never the input (it may hold secrets) and never connection strings.
  const e = error instanceof Error ? error : new Error(String(error));
  const rawCode: unknown = "code" in e ? e.code : undefined;
  const code = typeof rawCode === "string" ? rawCode : undefined;
  console.error(`[action ${name}] unexpected error, reference ${reference}`, {
    actorId: actor?.personId ?? null,
    name: e.name,
    code,
    stack: e.stack?.split("\n").slice(0, 8).join("\n"),
  });
  return { ok: false, error: `Something went wrong on our side and the request was not completed. Try again; if it keeps happening, contact an administrator and quote reference ${reference}.` };
}
