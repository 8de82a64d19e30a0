/** Small pieces of the request and approval screens: status labels, durations, times, JSON over the wire. */

/** A server value as it reaches the browser through JSON: dates become ISO strings. */
export type Wire<T> = T extends Date ? string : T extends (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

/** The same value a route handler would answer with (server components pass it to client components). */
export const toWire = <T,>(value: T): Wire<T> => JSON.parse(JSON.stringify(value)) as Wire<T>;

/** "2 h", "30 min", "1 d 4 h" (lib/access/policy's words; that module is server-side). */
export function duration(total: number): string {
  const parts = [[Math.floor(total / 1440), "d"], [Math.floor((total % 1440) / 60), "h"], [total % 60, "min"]] as const;
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`).join(" ") || "0 min";
}

export const utc = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "—");

/** The ISO timestamps inside a server message ("access ends 2026-12-06T12:50:53.774Z"), in the pages' words. */
export const readableTimes = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (iso) => utc(iso));

const STATUS: Record<string, [string, string]> = {
  PENDING: ["Waiting for approval", "bg-amber-50 text-amber-800 ring-amber-200"],
  APPROVED: ["Approved, granting", "bg-sky-50 text-sky-800 ring-sky-200"],
  ACTIVE: ["Active", "bg-emerald-50 text-emerald-800 ring-emerald-200"],
  ENDING: ["Ending", "bg-indigo-50 text-indigo-800 ring-indigo-200"],
  ENDED: ["Ended", "bg-slate-100 text-slate-700 ring-slate-200"],
  DENIED: ["Denied", "bg-red-50 text-red-800 ring-red-200"],
  CANCELLED: ["Withdrawn", "bg-slate-100 text-slate-600 ring-slate-200"],
  TIMED_OUT: ["Expired undecided", "bg-slate-100 text-slate-600 ring-slate-200"],
  FAILED: ["Failed", "bg-red-50 text-red-800 ring-red-200"],
};
const END_REASON: Record<string, string> = { EXPIRED: "expired", RETURNED: "given back", REVOKED: "revoked", WITHDRAWN: "withdrawn" };

export function RequestStatusBadge({ status, endReason }: { status: string; endReason?: string | null }) {
  const [label, style] = STATUS[status] ?? [status, "bg-slate-100 text-slate-700 ring-slate-200"];
  const why = status === "ENDED" && endReason ? ` (${END_REASON[endReason] ?? endReason.toLowerCase()})` : "";
  return (
    <span data-testid="request-status" data-status={status} className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${style}`}>
      {label}
      {why}
    </span>
  );
}

const CHANGE: Record<string, [string, string]> = {
  PENDING: ["Queued", "bg-indigo-50 text-indigo-800"],
  SCHEDULED: ["Scheduled", "bg-indigo-50 text-indigo-800"],
  HELD: ["Held for approval", "bg-amber-50 text-amber-800"],
  APPLYING: ["Applying", "bg-indigo-50 text-indigo-800"],
  APPLIED: ["Applied, verifying", "bg-sky-50 text-sky-800"],
  VERIFIED: ["Verified in PagerDuty", "bg-emerald-50 text-emerald-800"],
  FAILED: ["Failed", "bg-red-50 text-red-800"],
  UNVERIFIED: ["Not verified", "bg-red-50 text-red-800"],
  CANCELLED: ["Cancelled", "bg-slate-100 text-slate-700"],
};

/** Where a change of the pipeline stands (the grant's, or the end's). */
export function ChangeStatusBadge({ status }: { status: string }) {
  const [label, style] = CHANGE[status] ?? [status, "bg-slate-100 text-slate-700"];
  return <span className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${style}`}>{label}</span>;
}

/** GET a JSON route of the portal; its error message (lib/http/route) when it refuses. */
export async function fetchJson<T>(url: string, what: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  const body = (await res.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!res.ok || !body) throw new Error(body?.error ?? `${what} could not be loaded (HTTP ${res.status}).`);
  return body;
}

export const button = {
  primary: "rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-800 disabled:opacity-50",
  danger: "rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-50",
  secondary: "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50",
};
export const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";
export const label = "block text-xs font-medium text-slate-700";

/** A result line under a form: green when done, red when refused. */
export function ResultLine({ result, testId }: { result: { ok: boolean; text: string } | null; testId?: string }) {
  if (!result) return null;
  return (
    <p role={result.ok ? "status" : "alert"} data-testid={testId} className={`text-sm ${result.ok ? "text-emerald-800" : "text-red-700"}`}>
      {result.text}
    </p>
  );
}
