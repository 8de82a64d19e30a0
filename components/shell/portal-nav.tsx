"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { isActive, type NavItem } from "./nav-items";

function NavLinks({ items, pathname, onNavigate }: { items: NavItem[]; pathname: string; onNavigate?: () => void }) {
  const main = items.filter((i) => i.group === "main");
  const pagerduty = items.filter((i) => i.group === "pagerduty");
  const admin = items.filter((i) => i.group === "admin");
  const link = (item: NavItem) => {
    const active = isActive(item.href, pathname, items);
    return (
      <li key={item.href}>
        <Link
          href={item.href}
          onClick={onNavigate}
          aria-current={active ? "page" : undefined}
          className={`block rounded-md px-3 py-2 text-sm font-medium ${active ? "bg-emerald-50 text-emerald-800" : "text-slate-700 hover:bg-slate-100 hover:text-slate-900"}`}
        >
          {item.label}
        </Link>
      </li>
    );
  };
  return (
    <>
      <ul className="space-y-1">{main.map(link)}</ul>
      {pagerduty.length > 0 && (
        <>
          <p className="mt-6 px-3 text-xs font-semibold uppercase tracking-wide text-slate-500">PagerDuty</p>
          <ul className="mt-2 space-y-1">{pagerduty.map(link)}</ul>
        </>
      )}
      {admin.length > 0 && (
        <>
          <p className="mt-6 px-3 text-xs font-semibold uppercase tracking-wide text-slate-500">Admin</p>
          <ul className="mt-2 space-y-1">{admin.map(link)}</ul>
        </>
      )}
    </>
  );
}

/** Sidebar navigation on wide screens. */
export function SideNav({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="hidden w-56 shrink-0 border-r border-slate-200 bg-white p-4 md:block">
      <NavLinks items={items} pathname={pathname} />
    </nav>
  );
}

/** On narrow screens: a menu button that opens the same links (Escape closes and returns focus). */
export function MobileNav({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <div className="md:hidden">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls="mobile-nav"
        onClick={() => setOpen((o) => !o)}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700"
      >
        {open ? "Close menu" : "Menu"}
      </button>
      {open && (
        <nav id="mobile-nav" aria-label="Main" className="absolute inset-x-0 top-14 z-20 border-b border-slate-200 bg-white p-4 shadow-lg">
          <NavLinks items={items} pathname={pathname} onNavigate={() => setOpen(false)} />
        </nav>
      )}
    </div>
  );
}
