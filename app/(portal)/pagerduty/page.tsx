import { redirect } from "next/navigation";

/** The PagerDuty section opens on its users. */
export default async function PagerDutyIndex({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const c = (await searchParams).connection;
  redirect(typeof c === "string" ? `/pagerduty/users?connection=${encodeURIComponent(c)}` : "/pagerduty/users");
}
