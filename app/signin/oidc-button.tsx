"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

/** Starts next-auth's OpenID Connect flow (it fetches the CSRF token and POSTs /api/auth/signin/oidc). */
export function OidcSignInButton({ displayName }: { displayName: string }) {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      data-testid="oidc-sign-in"
      disabled={pending}
      onClick={() => {
        setPending(true);
        void signIn("oidc", { callbackUrl: "/" }).catch(() => setPending(false));
      }}
      className="flex w-full items-center justify-center rounded-md bg-slate-900 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:cursor-wait disabled:opacity-70"
    >
      {pending ? "Redirecting…" : `Sign in with ${displayName}`}
    </button>
  );
}
