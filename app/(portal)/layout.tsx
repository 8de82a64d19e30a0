import Image from "next/image";
import Link from "next/link";
import { MobileNav, SideNav } from "@/components/shell/portal-nav";
import { NAV_ITEMS } from "@/components/shell/nav-items";
import { can } from "@/lib/auth/access";
import { requireActor } from "@/lib/auth/session";
import { signOut } from "@/app/signin/actions";

export const dynamic = "force-dynamic";

const roleLabel = { ADMIN: "Admin", AUDITOR: "Auditor", MEMBER: "Member" } as const;

// The shell only shapes the page: every page authorizes its own data on the server.
export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireActor();
  const items = NAV_ITEMS.filter((i) => can(actor, i.permission));
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#content" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <header className="relative flex h-14 items-center justify-between gap-4 border-b border-slate-200 bg-white px-4">
        <div className="flex items-center gap-3">
          <MobileNav items={items} />
          <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
            <Image src="/logo.svg" alt="" width={24} height={24} />
            <span>PagerDuty Access Portal</span>
          </Link>
        </div>
        <div className="flex items-center gap-3 text-sm">
          <span className="hidden text-right sm:block">
            <span className="block font-medium text-slate-900">{actor.name}</span>
            <span className="block text-xs text-slate-500">{actor.roles.map((r) => roleLabel[r]).join(" · ")}</span>
          </span>
          <form action={signOut}>
            <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <div className="flex flex-1">
        <SideNav items={items} />
        <main id="content" tabIndex={-1} className="min-w-0 flex-1 p-4 sm:p-8">
          {children}
        </main>
      </div>
    </div>
  );
}
