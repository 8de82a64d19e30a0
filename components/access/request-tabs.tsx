import Link from "next/link";

/** Requests | Approvals: the two sides of just-in-time access, side by side under one heading. */
export function RequestTabs({ current, approvals }: { current: "requests" | "approvals"; approvals: boolean }) {
  const tabs = [["requests", "/requests", "My requests and catalog"], ...(approvals ? [["approvals", "/requests/approvals", "Approvals"]] : [])] as const;
  return (
    <nav aria-label="Requests" className="-mt-2 mb-6 flex gap-1 border-b border-slate-200">
      {tabs.map(([key, href, text]) => (
        <Link
          key={key}
          href={href}
          aria-current={current === key ? "page" : undefined}
          className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${current === key ? "border-emerald-700 text-emerald-800" : "border-transparent text-slate-600 hover:text-slate-900"}`}
        >
          {text}
        </Link>
      ))}
    </nav>
  );
}
