import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { listDemoPeople } from "@/lib/auth/demo";
import { getActor } from "@/lib/auth/session";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { env } from "@/lib/config/env";
import { getDb } from "@/lib/db";
import { PersonStatus } from "@/lib/generated/prisma/client";
import { DemoPeoplePicker } from "./demo-picker";
import { OidcSignInButton } from "./oidc-button";

export const metadata: Metadata = { title: "Sign in · PagerDuty Access Portal" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await getActor()) redirect("/");
  const params = await searchParams;
  const code = typeof params.error === "string" ? params.error : null;
  const error = signInErrorMessage(code);
  const config = env();
  const db = await getDb();
  // Demo mode seeds its people on first render (once per process): see lib/auth/demo.ts.
  const demoPeople = config.demoMode ? await listDemoPeople(db) : [];

  return (
    <main className="flex min-h-screen items-start justify-center px-4 py-12 sm:items-center">
      <div className="w-full max-w-md space-y-8">
        <header className="space-y-2 text-center">
          <p className="text-sm font-semibold uppercase tracking-wide text-emerald-700">PagerDuty Access Portal</p>
          <h1 className="text-2xl font-bold text-slate-900">Sign in</h1>
          <p className="text-sm text-slate-600">Review, request and audit access to your PagerDuty accounts.</p>
        </header>

        {error ? (
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            <p className="font-semibold">Sign-in failed</p>
            <p>{error}</p>
          </div>
        ) : null}

        {config.oidc ? (
          <section aria-label="Single sign-on" className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <OidcSignInButton displayName={config.oidc.displayName} />
            <p className="text-center text-xs text-slate-500">You will be sent to {config.oidc.displayName} and back.</p>
          </section>
        ) : null}

        {config.demoMode ? (
          <section className="space-y-3">
            <div>
              <h2 id="demo-heading" className="text-base font-semibold text-slate-900">
                Demo sign-in
              </h2>
              <p className="text-sm text-slate-600">This portal runs in demo mode: pick a person to sign in as.</p>
            </div>
            {demoPeople.length ? (
              <DemoPeoplePicker
                people={demoPeople.map((p) => ({ id: p.id, email: p.email, name: p.name, roles: [...p.roles], active: p.status === PersonStatus.ACTIVE }))}
              />
            ) : (
              <p className="text-sm text-slate-600">No demo people exist yet. Reload this page.</p>
            )}
          </section>
        ) : null}

        {!config.oidc && !config.demoMode ? (
          <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
            <p className="font-semibold">No way to sign in is configured</p>
            <p>
              An administrator must set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (see .env.example), or start the portal in demo mode
              with DEMO_MODE=true.
            </p>
          </div>
        ) : null}
      </div>
    </main>
  );
}
