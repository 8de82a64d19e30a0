/** The house table: a caption, header cells, and rows given by the page. */
export function DataTable({ caption, headers, children, empty }: { caption: string; headers: string[]; children: React.ReactNode; empty?: string | false }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col" className="px-4 py-2">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {empty && (
            <tr>
              <td colSpan={headers.length} className="px-4 py-6 text-center text-slate-600">{empty}</td>
            </tr>
          )}
          {children}
        </tbody>
      </table>
    </div>
  );
}

export const cell = "px-4 py-2 align-top";
