/**
 * PagerDuty's error envelope (NOTES §1.5): `{"error":{"message","code","errors"}}`. Handlers throw
 * PdError; the server turns it into the response, so bad input never crashes or hangs the simulator.
 */
export class PdError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "PdError";
  }

  body(): { error: { message: string; code: number; errors?: string[] } } {
    return { error: { message: this.message, code: this.code, ...(this.errors.length ? { errors: this.errors } : {}) } };
  }
}

/** 400 code 2001 "Invalid Input Provided" with details a person can act on. */
export const invalidInput = (...errors: string[]) => new PdError(400, 2001, "Invalid Input Provided", errors);
/** 400 code 2002 "Arguments Caused Error". */
export const argumentsError = (...errors: string[]) => new PdError(400, 2002, "Arguments Caused Error", errors);
export const notFound = (what = "Not Found") => new PdError(404, 2100, what);
export const unauthorized = () => new PdError(401, 2006, "Authentication failed");
export const forbidden = (...errors: string[]) => new PdError(403, 2010, "Access Denied", errors);
export const abilityMissing = (ability: string) =>
  new PdError(402, 2014, "Account does not have the abilities to perform the action. Please review the response for the required abilities.", [`Required ability: ${ability}`]);
export const rateLimited = (headers: Record<string, string>) => new PdError(429, 2020, "Rate Limit Exceeded", [], headers);
