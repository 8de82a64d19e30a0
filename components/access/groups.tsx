"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { ResultMessage } from "@/components/connections/form-bits";
import type { ActionResult } from "@/lib/auth/action";
import { AccessField, buttonPrimary, buttonSecondary, focusRing, inputClass } from "./policies-fields";

type Person = { id: string; name: string; email: string };
export interface GroupView {
  id: string;
  name: string;
  description: string;
  members: Person[];
}

/** Creates a portal group (name, description). */
export function CreateGroupForm({ action }: { action: (raw: unknown) => Promise<ActionResult<{ groupId: string }>> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<{ groupId: string }> | null>(null);
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  return (
    <form
      aria-label="Create a portal group"
      data-testid="group-form"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        const formEl = e.currentTarget;
        const form = new FormData(formEl);
        start(async () => {
          const r = await action({ name: String(form.get("name") ?? ""), description: String(form.get("description") ?? "") });
          setResult(r);
          if (r.ok) {
            formEl.reset();
            router.refresh();
          }
        });
      }}
    >
      <div className="grid gap-3 sm:grid-cols-[1fr_2fr]">
        <AccessField names={["name"]} label="Group name" errors={errors}>
          {(p) => <input {...p} name="name" required maxLength={80} data-testid="group-name" placeholder="Platform leads" className={`${inputClass} ${focusRing}`} />}
        </AccessField>
        <AccessField names={["description"]} label="Description (optional)" errors={errors}>
          {(p) => <input {...p} name="description" maxLength={500} data-testid="group-description" className={`${inputClass} ${focusRing}`} />}
        </AccessField>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={pending} data-testid="group-create" className={buttonPrimary}>
          {pending ? "Creating…" : "Create group"}
        </button>
        <ResultMessage result={result} />
      </div>
    </form>
  );
}

/** One group: its members (each removable) and a picker to add someone. */
export function GroupCard({ group, people, manage, action }: { group: GroupView; people: Person[]; manage: boolean; action: (raw: unknown) => Promise<ActionResult<void>> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<void> | null>(null);
  const [personId, setPersonId] = useState("");
  const candidates = people.filter((p) => !group.members.some((m) => m.id === p.id));
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  const run = (input: { personId: string; add: boolean }) =>
    start(async () => {
      const r = await action({ groupId: group.id, ...input });
      setResult(r);
      if (r.ok) {
        setPersonId("");
        router.refresh();
      }
    });
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4" data-testid={`group-${group.name}`}>
      <h3 className="font-semibold text-slate-900">{group.name}</h3>
      {group.description && <p className="text-sm text-slate-600">{group.description}</p>}
      {group.members.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">No members yet{manage ? ": add someone below" : ""}.</p>
      ) : (
        <ul className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200" aria-label={`Members of ${group.name}`}>
          {group.members.map((m) => (
            <li key={m.id} className="flex items-center justify-between gap-3 px-3 py-1.5 text-sm" data-testid="group-member">
              <span>
                <span className="font-medium text-slate-900">{m.name}</span> <span className="text-slate-500">{m.email}</span>
              </span>
              {manage && (
                <button type="button" disabled={pending} onClick={() => run({ personId: m.id, add: false })} aria-label={`Remove ${m.name} from ${group.name}`} className={`rounded px-2 py-0.5 text-xs text-red-700 hover:bg-red-50 disabled:opacity-50 ${focusRing}`}>
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {manage && (
        <form
          aria-label={`Add a member to ${group.name}`}
          className="mt-3 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (personId) run({ personId, add: true });
          }}
        >
          <div className="min-w-64 flex-1">
            <AccessField names={["personId"]} label="Add a member" errors={errors}>
              {(p) => (
                <select {...p} required value={personId} onChange={(e) => setPersonId(e.target.value)} data-testid={`group-add-${group.name}`} className={`${inputClass} ${focusRing}`}>
                  <option value="" disabled>
                    {candidates.length ? "Choose a person…" : "Everyone is a member already"}
                  </option>
                  {candidates.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.email})
                    </option>
                  ))}
                </select>
              )}
            </AccessField>
          </div>
          <button type="submit" disabled={pending || !personId} className={buttonSecondary} data-testid={`group-add-button-${group.name}`}>
            Add
          </button>
        </form>
      )}
      <div className="mt-2">
        <ResultMessage result={result} />
      </div>
    </li>
  );
}
