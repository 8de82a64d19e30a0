import { NotBuiltYet } from "@/components/ui/page";

export const metadata = { title: "My access" };

export default function MyAccessPage() {
  return (
    <NotBuiltYet
      title="My access"
      description="Everything you hold in PagerDuty, and why you hold it."
      bullets={[
        "Your PagerDuty base role, teams and team roles, and schedules, per connected account",
        "The origin of each grant: baseline, policy, approved request (with its expiry) or review decision",
        "Your upcoming on-call shifts",
      ]}
    />
  );
}
