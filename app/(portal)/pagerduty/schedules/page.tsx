import Link from "next/link";
import { cell, DataTable } from "@/components/pagerduty/data-table";
import { PagerDutyFrame, requestedConnection } from "@/components/pagerduty/frame";
import { Forbidden } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { pickConnection } from "@/lib/pagerduty-data/connections";
import { listSchedules, type OnCallSlot } from "@/lib/pagerduty-data/schedules";

export const metadata = { title: "PagerDuty schedules" };

/** A time exact to the minute, in the schedule's time zone (UTC when it has none). */
function at(d: Date | null, timeZone: string | null): string {
  if (!d) return "—";
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone: timeZone ?? "UTC", year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(d);
  } catch {
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }
}

function Slot({ slot, connectionId, timeZone, what }: { slot: OnCallSlot; connectionId: string; timeZone: string | null; what: "until" | "from" }) {
  return (
    <div>
      <Link href={`/pagerduty/users/${slot.userPdId}?connection=${connectionId}`} className="font-medium hover:underline">{slot.userName}</Link>
      <p className="text-xs text-slate-500">{what === "until" ? `until ${at(slot.end, timeZone)}` : `${at(slot.start, timeZone)} → ${at(slot.end, timeZone)}`}</p>
    </div>
  );
}

export default async function PdSchedulesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  if (!can(actor, "pagerduty.read")) return <Forbidden what="PagerDuty data" />;
  const { connections, current } = await pickConnection(actor, await requestedConnection(searchParams));
  const schedules = current ? await listSchedules(actor, current.id) : [];
  return (
    <PagerDutyFrame tab="schedules" title="PagerDuty schedules" description="Who is on call now and next, from the synced on-call shifts (exact to the minute, in each schedule's time zone)." connections={connections} current={current}>
      {current && (
        <DataTable caption="Schedules" headers={["Schedule", "On call now", "Next", "Layer members", "Teams"]} empty={schedules.length === 0 && "No schedules synced."}>
          {schedules.map((s) => (
            <tr key={s.pdId} data-testid="pd-schedule-row">
              <td className={cell}>
                <p className="font-medium text-slate-900">{s.name}</p>
                <p className="text-xs text-slate-500">{s.timeZone ?? "UTC"}</p>
              </td>
              <td className={cell} data-testid="oncall-now">
                {s.now.length ? s.now.map((slot) => <Slot key={`${slot.userPdId}${slot.start?.getTime()}`} slot={slot} connectionId={current.id} timeZone={s.timeZone} what="until" />) : <span className="text-slate-500">Nobody</span>}
              </td>
              <td className={cell}>{s.next ? <Slot slot={s.next} connectionId={current.id} timeZone={s.timeZone} what="from" /> : <span className="text-slate-500">Nothing within the horizon</span>}</td>
              <td className={cell}>{s.layerMembers}</td>
              <td className={cell}>{s.teams.map((t) => t.name).join(", ") || "—"}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </PagerDutyFrame>
  );
}
