/**
 * Errors that carry a message a person can act on. defineAction (lib/auth/action.ts) turns each into an
 * `ok: false` result; anything else is treated as unexpected and reported with a reference id only.
 */

/** No valid session: the caller is not signed in (or their session ended). */
export class AuthenticationError extends Error {
  constructor(message = "You are not signed in, or your session has ended. Sign in and try again.") {
    super(message);
    this.name = "AuthenticationError";
  }
}

/** Signed in, but not allowed to do this. */
export class AuthorizationError extends Error {
  constructor(message = "You don't have permission to do this.") {
    super(message);
    this.name = "AuthorizationError";
  }
}

/** A business rule refused the request (e.g. "the last active admin cannot lose ADMIN"). */
export class DomainError extends Error {
  constructor(
    message: string,
    /** Optional per-field messages, shown next to form fields. */
    public readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** The thing named in the request does not exist (or the caller may not know it exists). */
export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}
