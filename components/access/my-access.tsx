import Link from "next/link";
import type { MyAccessAccount, MyAccessRow } from "@/lib/access/queries";
import { baseRoleLabel } from "@/lib/pagerduty-data/roles";

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const focusRing = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600";

/** "2 h 5 min", "3 d 4 h", "less than a minute". */
export function timeLeft(ms: number): string {
  if (ms < 60_000) return "less than a minute";
  const total = Math.floor(ms / 60_000);
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  return (d ? [`${d} d`, h ? `${h} h` : ""] : [h ? `${h} h` : "", m ? `${m} min` : ""]).filter(Boolean).join(" ");
}

const ORIGIN_TONE: Record<string, string> = {
  Baseline: "bg-slate-100 text-slate-700",
  "Approved request": "bg-emerald-50 text-emerald-800 ring-1 ring-inset ring-emerald-200",
  "Review decision": "bg-sky-50 text-sky-800 ring-1 ring-inset ring-sky-200",
  "Changed in PagerDuty": "bg-red-50 text-red-800 ring-1 ring-inset ring-red-200",
  Policy: "bg-violet-50 text-violet-800 ring-1 ring-inset ring-violet-200",
};

const KIND_LABEL: Record<MyAccessRow["kind"], string> = { BASE_ROLE: "Base role", TEAM_MEMBER: "Team", SCHEDULE_MEMBER: "Schedule" };

function AccessRow({ row, now, self }: { row: MyAccessRow; now: Date; self: boolean }) {
  const ends = row.endsAt;
  return (
    <tr data-testid="access-row" data-kind={row.kind} className="align-top">
      <td className="px-4 py-3">
        <span className="block text-xs text-slate-500">{KIND_LABEL[row.kind]}</span>
        <span className="font-medium text-slate-900">{row.kind === "BASE_ROLE" ? row.what.replace(/^Base role: /, "") : row.what}</span>
      </td>
      <td className="px-4 py-3">
        <span className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${ORIGIN_TONE[row.origin] ?? "bg-slate-100 text-slate-700"}`} data-testid="access-origin">
          {row.origin}
        </span>
      </td>
      <td className="whitespace-nowrap px-4 py-3 text-slate-700">{row.since.toISOString().slice(0, 10)}</td>
      <td className="px-4 py-3 text-slate-700">
        {ends ? (
          <span data-testid="access-ends">
            <span className={`block font-medium ${ends.getTime() - now.getTime() < 15 * 60_000 ? "text-amber-800" : "text-slate-900"}`}>{ends > now ? `${timeLeft(ends.getTime() - now.getTime())} left` : "ending now"}</span>
            <span className="block text-xs text-slate-500">until {utc(ends)}</span>
          </span>
        ) : (
          <span className="whitespace-nowrap text-slate-500">No end date</span>
        )}
        {row.requestId && (
          <Link href={`/requests/${row.requestId}`} className={`mt-1 block text-xs font-medium text-emerald-800 underline ${focusRing}`} data-testid="access-request-link">
            See the request
          </Link>
        )}
      </td>
      <td className="px-4 py-3">
        <details className="group max-w-md">
          <summary className={`cursor-pointer select-none rounded text-sm font-medium text-emerald-800 underline decoration-emerald-300 hover:decoration-emerald-700 ${focusRing}`} data-testid="access-why-toggle">
            {self ? "Why do I have this?" : "Why do they have this?"}
          </summary>
          <p className="mt-1 text-sm text-slate-700" data-testid="access-why">
            {self ? row.why : row.why.replace(/^You /, "They ").replace(/\byou\b/g, "they")}
          </p>
        </details>
      </td>
    </tr>
  );
}

function Shifts({ shifts, now }: { shifts: MyAccessAccount["upcomingShifts"]; now: Date }) {
  if (shifts.length === 0) return <p className="text-sm text-slate-600">No on-call shift in the synced window.</p>;
  return (
    <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="upcoming-shifts">
      {shifts.map((s, i) => (
        <li key={i} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm" data-testid="shift">
          <span>
            {s.now && <span className="mr-2 rounded-full bg-red-50 px-2 py-0.5 text-xs font-semibold text-red-800 ring-1 ring-inset ring-red-200">On call now</span>}
            <span className="font-medium text-slate-900">{s.scheduleName ?? "Direct escalation target"}</span>
            <span className="text-slate-600">
              {s.policyName ? ` · ${s.policyName}` : ""} · level {s.level}
            </span>
          </span>
          <span className="text-slate-700">
            {s.start ? (s.now ? "since " : "") + utc(s.start) : "always"}
            {s.end ? ` → ${utc(s.end)}` : ""}
            {!s.now && s.start && s.start > now && <span className="ml-2 text-xs text-slate-500">(in {timeLeft(s.start.getTime() - now.getTime())})</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** One PagerDuty account: the person's holdings with their origin and "why", and their upcoming shifts. */
export function AccessAccount({ account, now, self }: { account: MyAccessAccount; now: Date; self: boolean }) {
  const them = self ? "you" : "this person";
  return (
    <section aria-labelledby={`acct-${account.connectionId}`} className="space-y-3" data-testid={`my-access-${account.connectionName}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`acct-${account.connectionId}`} className="text-lg font-semibold text-slate-900">
          {account.connectionName}
        </h2>
        {account.pdUser && (
          <p className="text-sm text-slate-600">
            PagerDuty user <span className="font-medium text-slate-900">{account.pdUser.name}</span> ({account.pdUser.email}) · base role{" "}
            <span className="font-medium text-slate-900" data-testid="pd-base-role">
              {baseRoleLabel(account.pdUser.role)}
            </span>
          </p>
        )}
      </div>
      {!account.pdUser ? (
        <p className="rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-700" data-testid="no-pd-user">
          No PagerDuty user in this account matches {them}: neither by e-mail address nor by an alias an administrator set on the People matching page. {self ? "If you should have one, ask an administrator." : ""}
        </p>
      ) : (
        <>
          {account.rows.length === 0 ? (
            <p className="rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-700">Nothing held in this account according to the last sync.</p>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="min-w-full divide-y divide-slate-200 text-sm">
                <caption className="sr-only">Access held in {account.connectionName}</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                  <tr>
                    {["Access", "Origin", "Since", "Ends", "Why"].map((h) => (
                      <th key={h} scope="col" className="px-4 py-2">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {account.rows.map((row) => (
                    <AccessRow key={row.grantId} row={row} now={now} self={self} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3 className="pt-2 text-sm font-semibold text-slate-800">Upcoming on-call shifts</h3>
          <Shifts shifts={account.upcomingShifts} now={now} />
        </>
      )}
    </section>
  );
}
