/**
 * What the sign-in page says for each ?error= code: next-auth's own codes (pages.error = "/signin")
 * and the ones our signIn callback returns. Unknown codes get a generic message, never the raw code.
 */
export type SignInErrorCode =
  | "EmailNotVerified"
  | "EmailMissing"
  | "AccountDeactivated"
  | "EmailDomainNotAllowed"
  | "GroupRequired"
  | "DemoDisabled"
  | "SessionEnded"
  | "Configuration"
  | "AccessDenied"
  | "Verification"
  | "OAuthSignin"
  | "OAuthCallback"
  | "OAuthCreateAccount"
  | "OAuthAccountNotLinked"
  | "Callback"
  | "SessionRequired"
  | "Default";

const MESSAGES: Record<SignInErrorCode, string> = {
  EmailNotVerified: "Your identity provider has not verified your email address, so you cannot be signed in. Verify your email with your identity provider (or ask its administrator), then try again.",
  EmailMissing: "Your identity provider did not share an email address. Ask its administrator to release the email claim to this portal.",
  AccountDeactivated: "Your portal access has been deactivated; contact an administrator.",
  EmailDomainNotAllowed:
    "This portal admits only the email domains of its organisation, and your email address is not one of them. Sign in with your work account; if you think you should have access, contact an administrator.",
  GroupRequired:
    "This portal admits only members of a group in your identity provider, and your account is not in it. Ask an administrator to add you to the group, then sign in again.",
  DemoDisabled: "Demo sign-in is disabled: this portal is not running in demo mode.",
  SessionEnded: "Your session has ended. Sign in again.",
  Configuration: "Sign-in is not configured correctly on the server. Contact an administrator.",
  AccessDenied: "You are not allowed to sign in to this portal. Contact an administrator if you think this is wrong.",
  Verification: "The sign-in link is no longer valid. Start signing in again.",
  OAuthSignin: "We could not start sign-in with your identity provider. Try again; if it keeps happening, contact an administrator.",
  OAuthCallback: "Your identity provider's answer could not be verified (it may have expired). Try signing in again.",
  OAuthCreateAccount: "We could not create your portal account. Contact an administrator.",
  OAuthAccountNotLinked: "This identity is linked to a different portal account. Contact an administrator.",
  Callback: "Sign-in could not be completed. Try again; if it keeps happening, contact an administrator.",
  SessionRequired: "Sign in to continue.",
  Default: "Sign-in failed. Try again; if it keeps happening, contact an administrator.",
};

export function signInErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code as SignInErrorCode] : MESSAGES.Default;
}
