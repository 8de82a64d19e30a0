"use client";

/** Unexpected failures: a human message and the reference the server logged, never a stack. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-md p-12 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-2 text-sm text-slate-600">The portal could not show this page. Nothing was changed.</p>
      {error.digest && <p className="mt-2 font-mono text-xs text-slate-500">Reference: {error.digest}</p>}
      <button type="button" onClick={reset} className="mt-4 rounded-md bg-slate-800 px-3 py-1.5 text-sm text-white">
        Try again
      </button>
    </main>
  );
}
