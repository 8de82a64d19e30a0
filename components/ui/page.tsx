/** Page heading with an optional one-line description and actions on the right. */
export function PageHeader({ title, description, actions }: { title: string; description?: string; actions?: React.ReactNode }) {
  return (
    <header className="mb-6 flex flex-wrap items-start justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">{title}</h1>
        {description && <p className="mt-1 max-w-3xl text-sm text-slate-600">{description}</p>}
      </div>
      {actions}
    </header>
  );
}

/** Shown when the server refused the page's data: the page exists, this person may not see it. */
export function Forbidden({ what }: { what: string }) {
  return (
    <section role="alert" className="rounded-lg border border-amber-200 bg-amber-50 p-6">
      <h1 className="text-lg font-semibold text-amber-900">You don&apos;t have access to this page</h1>
      <p className="mt-1 text-sm text-amber-800">
        {what} is available to portal administrators{what === "The audit trail" ? " and auditors" : ""}. Ask an administrator if you need it.
      </p>
    </section>
  );
}

/** A capability that is planned but not built yet: say so plainly, show nothing fake. */
export function NotBuiltYet({ title, description, bullets }: { title: string; description: string; bullets: string[] }) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <section className="rounded-lg border border-dashed border-slate-300 bg-white p-6">
        <p className="text-sm font-semibold text-slate-800">Not built yet</p>
        <p className="mt-1 text-sm text-slate-600">This part of the portal is planned. When it ships, you will find here:</p>
        <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-700">
          {bullets.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      </section>
    </>
  );
}

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-8 text-center">
      <p className="font-medium text-slate-800">{title}</p>
      {children && <div className="mt-1 text-sm text-slate-600">{children}</div>}
    </div>
  );
}
