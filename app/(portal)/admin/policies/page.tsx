import { Forbidden, NotBuiltYet } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";

export const metadata = { title: "Policies" };

export default async function PoliciesPage() {
  const actor = await requireActor();
  if (!can(actor, "policy.read")) return <Forbidden what="Policies" />;
  return (
    <NotBuiltYet
      title="Policies"
      description="Rules that decide access automatically."
      bullets={[
        "Birthright role mappings from your identity source (joiner, mover, leaver)",
        "Just-in-time access rules and on-call auto-grants",
        "The brake: how large a batch of changes may run before an admin approves it",
      ]}
    />
  );
}
