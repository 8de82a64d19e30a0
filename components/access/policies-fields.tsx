"use client";

import { useId, useState } from "react";
import { inputClass, LabelledControl, labelClass } from "@/components/connections/form-bits";

export { inputClass, labelClass };

/** A visible keyboard focus ring for every control of the access pages. */
export const focusRing = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600";
export const buttonPrimary = `rounded-md bg-emerald-700 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-800 disabled:opacity-50 ${focusRing}`;
export const buttonSecondary = `rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-50 ${focusRing}`;

type Errors = Record<string, string[]> | undefined;

/** The messages for any of these field names (the action's fieldErrors keys, e.g. "rules.maxDurationMinutes"). */
export function errorsFor(errors: Errors, ...names: string[]): string[] | undefined {
  const found = names.flatMap((n) => errors?.[n] ?? []);
  return found.length ? found : undefined;
}

/**
 * A labelled control with its hint and its error right beside it (linked for screen readers). Ids are unique
 * per form instance, so the same form can appear once per catalog item.
 */
export function AccessField({ names, label, hint, errors, children }: { names: string[]; label: string; hint?: string; errors: Errors; children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => React.ReactNode }) {
  return (
    <LabelledControl id={useId()} label={label} hint={hint} messages={errorsFor(errors, ...names)} errorName={names[0]!}>
      {children}
    </LabelledControl>
  );
}

export function FieldError({ id, name, messages }: { id?: string; name: string; messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <p id={id} data-testid={`error-${name}`} className="mt-1 text-xs text-red-700">
      {messages.join(" ")}
    </p>
  );
}

/** A group of checkboxes in a scrollable box: accessible (a fieldset with a legend), unlike a multi-select. */
export function CheckList({ legend, options, value, onChange, errors, names, hint, empty, testId }: { legend: string; options: { value: string; label: string }[]; value: string[]; onChange: (v: string[]) => void; errors: Errors; names: string[]; hint?: string; empty?: string; testId?: string }) {
  const messages = errorsFor(errors, ...names);
  return (
    <fieldset data-testid={testId}>
      <legend className={labelClass}>{legend}</legend>
      {options.length === 0 ? (
        <p className="mt-1 text-xs text-slate-500">{empty ?? "Nothing to choose from."}</p>
      ) : (
        <div className={`mt-1 max-h-40 space-y-1 overflow-y-auto rounded-md border bg-white p-2 ${messages ? "border-red-500" : "border-slate-300"}`}>
          {options.map((o) => (
            <label key={o.value} className="flex items-center gap-2 text-sm text-slate-800">
              <input type="checkbox" className={focusRing} checked={value.includes(o.value)} onChange={() => onChange(value.includes(o.value) ? value.filter((x) => x !== o.value) : [...value, o.value])} />
              {o.label}
            </label>
          ))}
        </div>
      )}
      {hint && <p className="mt-1 text-xs text-slate-500">{hint}</p>}
      <FieldError name={names[0]!} messages={messages} />
    </fieldset>
  );
}

const UNITS = [
  ["minutes", 1],
  ["hours", 60],
  ["days", 1440],
] as const;

/** A duration typed as a number and a unit (minutes, hours, days); the value is whole minutes. */
export function DurationField({ label, hint, minutes, onChange, errors, names, allowZero, testId }: { label: string; hint?: string; minutes: number; onChange: (m: number) => void; errors: Errors; names: string[]; allowZero?: boolean; testId?: string }) {
  const id = useId();
  // The unit is the person's choice once made; at first the largest that shows the value as a whole number.
  const [unit, setUnit] = useState<number>(() => (minutes > 0 && minutes % 1440 === 0 ? 1440 : minutes > 0 && minutes % 60 === 0 ? 60 : 1));
  const messages = errorsFor(errors, ...names);
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <div className="mt-1 flex gap-2">
        <input
          id={id}
          type="number"
          min={allowZero ? 0 : 1}
          step="any"
          inputMode="numeric"
          data-testid={testId}
          value={Number.isFinite(minutes) ? minutes / unit : ""}
          aria-invalid={Boolean(messages)}
          aria-describedby={[hint ? `${id}-hint` : null, messages ? `${id}-error` : null].filter(Boolean).join(" ") || undefined}
          onChange={(e) => onChange(e.target.value === "" ? Number.NaN : Math.round(Number(e.target.value) * unit))}
          className={`${inputClass.replace("mt-1 ", "")} w-24 ${focusRing}`}
        />
        <select
          aria-label={`${label}: unit`}
          value={unit}
          onChange={(e) => {
            const next = Number(e.target.value);
            setUnit(next);
            onChange(Number.isFinite(minutes) ? Math.round((minutes / unit) * next) : minutes);
          }}
          className={`${inputClass.replace("mt-1 ", "")} w-28 ${focusRing}`}
        >
          {UNITS.map(([name, m]) => (
            <option key={name} value={m}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} name={names[0]!} messages={messages} />
    </div>
  );
}
