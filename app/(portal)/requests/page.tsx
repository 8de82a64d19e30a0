import { NotBuiltYet } from "@/components/ui/page";

export const metadata = { title: "Requests" };

export default function RequestsPage() {
  return (
    <NotBuiltYet
      title="Requests"
      description="Just-in-time access to PagerDuty teams and roles."
      bullets={[
        "Ask for a team role or base role for a limited time, with a reason",
        "Access granted automatically while you are on call, ending exactly on time",
        "Approvals for requests assigned to you (nobody approves their own)",
      ]}
    />
  );
}
