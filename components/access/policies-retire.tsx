"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { ResultMessage } from "@/components/connections/form-bits";
import type { ActionResult } from "@/lib/auth/action";
import { AccessField, buttonSecondary, focusRing, inputClass } from "./policies-fields";

/** Retire an item (no longer offered; its requests and history stay) or offer it again, with a reason. */
export function RetireForm({ itemId, retired, openRequests, action }: { itemId: string; retired: boolean; openRequests: number; action: (raw: unknown) => Promise<ActionResult<void>> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<void> | null>(null);
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  return (
    <form
      aria-label={retired ? "Offer the item again" : "Retire the item"}
      data-testid={`retire-${itemId}`}
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        const formEl = e.currentTarget;
        const reason = String(new FormData(formEl).get("reason") ?? "");
        start(async () => {
          const r = await action({ itemId, retired: !retired, reason });
          setResult(r);
          if (r.ok) {
            formEl.reset();
            router.refresh();
          }
        });
      }}
    >
      <p className="text-xs text-slate-600">
        {retired
          ? "Offered again, it appears in the catalog with its current policy."
          : `Retired, it is no longer offered; its requests and their history stay.${openRequests ? ` ${openRequests} open request${openRequests === 1 ? "" : "s"} continue${openRequests === 1 ? "s" : ""} under the version ${openRequests === 1 ? "it was" : "they were"} made under.` : ""}`}
      </p>
      <AccessField names={["reason"]} label="Reason (kept in the audit trail)" errors={errors}>
        {(p) => <input {...p} name="reason" required maxLength={500} className={`${inputClass} ${focusRing}`} />}
      </AccessField>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={pending} className={buttonSecondary}>
          {pending ? "Saving…" : retired ? "Offer again" : "Retire"}
        </button>
        <ResultMessage result={result} />
      </div>
    </form>
  );
}
