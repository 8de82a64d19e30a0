"use client";

import { useEffect, useRef } from "react";

export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ["j / ↓", "Next item"],
  ["k / ↑", "Previous item"],
  ["x", "Select or unselect the item"],
  ["c", "Certify the item (or the selection)"],
  ["r", "Revoke the item (or the selection)"],
  ["m", "Modify the item (or the selection)"],
  ["/", "Search"],
  ["?", "Show this help"],
  ["Esc", "Close a dialog"],
];

/** The keyboard shortcuts of the review workspace, in a modal dialog that Escape closes. */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="shortcuts-title" data-testid="shortcuts-help" className="m-auto w-full max-w-sm rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/30">
      <div className="p-5">
        <h2 id="shortcuts-title" className="text-lg font-semibold text-slate-900">
          Keyboard shortcuts
        </h2>
        <dl className="mt-3 grid grid-cols-[6rem_1fr] gap-y-1.5 text-sm">
          {SHORTCUTS.map(([key, what]) => (
            <div key={key} className="contents">
              <dt>
                <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs">{key}</kbd>
              </dt>
              <dd className="text-slate-700">{what}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-3 text-xs text-slate-500">Shortcuts are off while you type in a field.</p>
        <div className="mt-4 text-right">
          <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}
