"use client";

import type { ActionResult } from "@/lib/auth/action";

export const inputClass = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm aria-[invalid=true]:border-red-500";
export const labelClass = "block text-xs font-medium text-slate-700";

/** A labelled field with its error (from the action's fieldErrors) right under it, linked for screen readers. */
export function Field({ name, label, hint, errors, children }: { name: string; label: string; hint?: string; errors?: Record<string, string[]>; children: (props: { id: string; name: string; "aria-invalid": boolean; "aria-describedby"?: string }) => React.ReactNode }) {
  const id = `field-${name}`;
  return (
    <LabelledControl id={id} label={label} hint={hint} messages={errors?.[name]} errorName={name}>
      {(props) => children({ ...props, name })}
    </LabelledControl>
  );
}

/** The markup of a labelled control: label, control, hint and error, the last two linked by aria-describedby. */
export function LabelledControl({ id, label, hint, messages, errorName, children }: { id: string; label: string; hint?: string; messages?: string[]; errorName: string; children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => React.ReactNode }) {
  const describedBy = [hint ? `${id}-hint` : null, messages ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {children({ id, "aria-invalid": Boolean(messages), "aria-describedby": describedBy })}
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      {messages && (
        <p id={`${id}-error`} data-testid={`error-${errorName}`} className="mt-1 text-xs text-red-700">
          {messages.join(" ")}
        </p>
      )}
    </div>
  );
}

/** The outcome of an action: a status line on success, an alert on refusal. */
export function ResultMessage({ result }: { result: ActionResult<unknown> | null }) {
  if (!result) return null;
  return result.ok ? (
    <p role="status" className="text-sm text-emerald-800">
      {result.message ?? "Done."}
    </p>
  ) : (
    <p role="alert" className="text-sm text-red-700">
      {result.error}
    </p>
  );
}

/** The text of a form field, or undefined when left empty (so optional fields stay absent). */
export function text(form: FormData, name: string): string | undefined {
  const v = form.get(name);
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

/** A whole number typed in a form, or undefined when empty (a non-number is passed on for the server to refuse). */
export function whole(form: FormData, name: string): number | string | undefined {
  const v = text(form, name);
  if (v === undefined) return undefined;
  return /^-?\d+$/.test(v.trim()) ? Number(v) : v;
}
