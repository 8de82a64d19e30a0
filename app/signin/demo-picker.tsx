"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { demoSignIn } from "./actions";

export interface DemoPersonOption {
  id: string;
  email: string;
  name: string;
  roles: string[];
  active: boolean;
}

const ROLE_LABEL: Record<string, string> = { ADMIN: "Admin", AUDITOR: "Auditor", MEMBER: "Member" };

/** The demo people, one real button each; a refusal is announced in an alert. */
export function DemoPeoplePicker({ people }: { people: DemoPersonOption[] }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(async (_prev, form) => demoSignIn(form), null);
  return (
    <form action={action} aria-labelledby="demo-heading" className="space-y-3">
      {state && !state.ok ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.error}
        </p>
      ) : null}
      <ul className="divide-y divide-slate-200 overflow-hidden rounded-md border border-slate-200 bg-white">
        {people.map((p) => (
          <li key={p.id}>
            <button
              type="submit"
              name="personId"
              value={p.id}
              disabled={pending || !p.active}
              data-testid={`demo-person-${p.email}`}
              className="flex w-full items-center justify-between gap-3 px-4 py-3 text-left hover:bg-slate-50 focus-visible:bg-emerald-50 focus-visible:outline-none disabled:cursor-not-allowed disabled:opacity-60"
            >
              <span className="min-w-0">
                <span className="block truncate text-sm font-medium text-slate-900">{p.name}</span>
                <span className="block truncate text-xs text-slate-600">{p.email}</span>
              </span>
              <span className="flex shrink-0 flex-wrap justify-end gap-1">
                {p.active ? (
                  p.roles.map((r) => (
                    <span key={r} className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">
                      {ROLE_LABEL[r] ?? r}
                    </span>
                  ))
                ) : (
                  <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800">Deactivated</span>
                )}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <p aria-live="polite" className="sr-only">
        {pending ? "Signing in…" : ""}
      </p>
    </form>
  );
}
