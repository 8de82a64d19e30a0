"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import type { ReviewerCandidate } from "@/lib/reviews/candidates";

async function fetchCandidates(q: string, signal: AbortSignal): Promise<ReviewerCandidate[]> {
  const res = await fetch(`/api/reviews/candidates?${new URLSearchParams({ q }).toString()}`, { headers: { accept: "application/json" }, signal });
  const body = (await res.json().catch(() => null)) as { candidates?: ReviewerCandidate[]; error?: string } | null;
  if (!res.ok || !body?.candidates) throw new Error(body?.error ?? `People could not be searched (HTTP ${res.status}).`);
  return body.candidates;
}

const label = (p: ReviewerCandidate) => (p.email ? `${p.name} (${p.email})` : p.name);

/**
 * A reviewer type-ahead (ARIA combobox): the server searches as one types and answers at most 20 people,
 * with only the fields the caller may see. Arrow keys move through the suggestions, Enter picks, Escape
 * closes. `name`: a hidden input carrying the picked person's id, for forms.
 */
export function PersonPicker({ label: text, value, onChange, name, testId, required }: { label: string; value: ReviewerCandidate | null; onChange: (p: ReviewerCandidate | null) => void; name?: string; testId?: string; required?: boolean }) {
  const id = useId();
  const [typed, setTyped] = useState(value ? value.name : "");
  const [q, setQ] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  useEffect(() => {
    const t = setTimeout(() => setQ(typed.trim()), 200);
    return () => clearTimeout(t);
  }, [typed]);
  const search = useQuery({ queryKey: ["reviewer-candidates", q], queryFn: ({ signal }) => fetchCandidates(q, signal), enabled: open && q.length > 0, staleTime: 30_000 });
  const options = search.data ?? [];
  const listId = `${id}-list`;
  const optionId = (i: number) => `${id}-opt-${i}`;
  const pick = (p: ReviewerCandidate) => {
    onChange(p);
    setTyped(p.name);
    setOpen(false);
  };
  const status = !open || !q ? null : search.isFetching && !search.data ? "Searching…" : search.isError ? search.error.message : options.length === 0 ? "No one found: type part of a name." : null;
  return (
    <div className="relative">
      <label htmlFor={`${id}-input`} className="block text-xs font-medium text-slate-700">
        {text}
      </label>
      <input
        id={`${id}-input`}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open && options.length > 0}
        aria-controls={listId}
        aria-activedescendant={open && options[active] ? optionId(active) : undefined}
        autoComplete="off"
        required={required}
        placeholder="Type a name…"
        value={typed}
        data-testid={testId}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
        onChange={(e) => {
          setTyped(e.target.value);
          setOpen(true);
          setActive(0);
          if (value) onChange(null);
        }}
        onFocus={() => typed && !value && setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, Math.max(options.length - 1, 0)));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === "Enter" && open && options[active]) {
            e.preventDefault();
            pick(options[active]);
          } else if (e.key === "Escape" && open) {
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {name && <input type="hidden" name={name} value={value?.id ?? ""} />}
      {open && options.length > 0 && (
        <ul id={listId} role="listbox" aria-label={`${text}: suggestions`} className="absolute z-10 mt-1 max-h-60 w-full overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg">
          {options.map((p, i) => (
            <li
              key={p.id}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              data-testid={testId ? `${testId}-option` : undefined}
              className={`cursor-pointer px-2 py-1 ${i === active ? "bg-emerald-50 text-emerald-900" : "text-slate-800"}`}
              onMouseDown={(e) => {
                e.preventDefault(); // keep the focus in the input
                pick(p);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {label(p)}
            </li>
          ))}
        </ul>
      )}
      {status && (
        <p role="status" className="mt-1 text-xs text-slate-500">
          {status}
        </p>
      )}
    </div>
  );
}
