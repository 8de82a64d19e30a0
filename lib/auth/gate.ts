import type { SignInGate } from "@/lib/config/env";
import type { SignInErrorCode } from "./sign-in-errors";

/**
 * Who may sign in through OpenID Connect, on top of "the identity provider verified this email":
 * ALLOWED_EMAIL_DOMAINS and OIDC_REQUIRED_GROUP (read from the claim OIDC_GROUPS_CLAIM). Pure, so the
 * signIn callback (lib/auth/options.ts) and the adapter's second line of defence ask the same question.
 */
export interface GateRefusal {
  code: Extract<SignInErrorCode, "EmailDomainNotAllowed" | "GroupRequired">;
  /** For the audit trail (never shown to the person: the page shows the code's sentence). */
  reason: string;
}

/** The domain of a normalized email: everything after its last "@". */
export const emailDomain = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** Is this email's domain one of the allowed ones? No list: every domain is. Exact match, no subdomains. */
export function emailDomainAllowed(allowedEmailDomains: readonly string[], email: string): boolean {
  return allowedEmailDomains.length === 0 || allowedEmailDomains.includes(emailDomain(email));
}

/** The groups an identity provider lists in a claim: an array of strings, or one string. */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string");
  return [];
}

/** null when the person may sign in; otherwise the refusal, with the error code the sign-in page explains. */
export function signInGateRefusal(gate: SignInGate, email: string, claims: Record<string, unknown>): GateRefusal | null {
  if (!emailDomainAllowed(gate.allowedEmailDomains, email)) {
    return { code: "EmailDomainNotAllowed", reason: `email domain ${emailDomain(email)} is not in ALLOWED_EMAIL_DOMAINS` };
  }
  if (gate.requiredGroup !== null && !groupsFromClaim(claims[gate.groupsClaim]).includes(gate.requiredGroup)) {
    const present = gate.groupsClaim in claims;
    return {
      code: "GroupRequired",
      reason: present
        ? `not a member of the required group ${gate.requiredGroup} (claim ${gate.groupsClaim})`
        : `the identity provider sent no ${gate.groupsClaim} claim, so membership of ${gate.requiredGroup} cannot be shown`,
    };
  }
  return null;
}
