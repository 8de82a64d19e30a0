"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";
import type { ChainCheck } from "@/app/(portal)/audit/actions";

export function VerifyChainButton({ verify }: { verify: (raw: unknown) => Promise<ActionResult<ChainCheck>> }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<ChainCheck> | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        disabled={pending}
        onClick={() => start(async () => setResult(await verify({})))}
        className="rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-800 disabled:opacity-60"
      >
        {pending ? "Verifying…" : "Verify chain now"}
      </button>
      {result && (
        <p role={result.ok && result.data.ok ? "status" : "alert"} className={`text-sm ${result.ok && result.data.ok ? "text-emerald-800" : "text-red-700"}`}>
          {result.ok ? result.data.detail : result.error}
        </p>
      )}
    </div>
  );
}
