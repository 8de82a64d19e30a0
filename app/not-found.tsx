import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-md p-12 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-slate-600">There is nothing at this address.</p>
      <Link href="/" className="mt-4 inline-block text-emerald-800 underline">
        Go to the dashboard
      </Link>
    </main>
  );
}
