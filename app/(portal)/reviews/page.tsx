import { NotBuiltYet } from "@/components/ui/page";

export const metadata = { title: "Reviews" };

export default function ReviewsPage() {
  return (
    <NotBuiltYet
      title="Reviews"
      description="User access review campaigns."
      bullets={[
        "The review items assigned to you across campaigns, with context and risk badges",
        "Certify, revoke or modify, with justifications; revocations verified in PagerDuty",
        "Evidence packs (CSV, PDF, JSON) for auditors once a campaign closes",
      ]}
    />
  );
}
