import { redirect } from "next/navigation";
import { isSafeId } from "@/lib/pagerduty-data/guard";

/** The PagerDuty section opens on its users. */
export default async function PagerDutyIndex({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const c = (await searchParams).connection;
  redirect(isSafeId(c) ? `/pagerduty/users?connection=${c}` : "/pagerduty/users");
}
