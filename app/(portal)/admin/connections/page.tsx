import { Forbidden, NotBuiltYet } from "@/components/ui/page";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";

export const metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  const actor = await requireActor();
  if (!can(actor, "connection.read")) return <Forbidden what="Connections" />;
  return (
    <NotBuiltYet
      title="Connections"
      description="The PagerDuty accounts this portal governs."
      bullets={[
        "Add a PagerDuty account (US or EU) with an API key or a scoped OAuth app; the credential is checked on save",
        "The credential as a governed identity: owner, purpose, scope, rotation due date, last use",
        "Sync status, history and live progress",
      ]}
    />
  );
}
