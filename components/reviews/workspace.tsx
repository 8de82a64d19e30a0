"use client";

import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { RISKS, RISK_LABELS, type DecisionKind, type SubmitResult, type WorkspaceItem, type WorkspacePage, type WorkspaceQuery } from "@/lib/reviews/types";
import { DecisionBadge, KIND_LABEL, RemediationBadge, RiskBadges, roleLabel } from "./badges";
import { ContextPanel } from "./context-panel";
import { DECISION_LABEL, DecisionDialog, type DecisionRequest } from "./decision-dialog";
import { ReassignDialog } from "./reassign-dialog";
import { ShortcutsHelp } from "./shortcuts-help";
import { SecondLookDialog } from "./second-look";

type Action<I, T> = (raw: I) => Promise<ActionResult<T>>;

export interface WorkspaceActions {
  saveDrafts: Action<{ campaignId: string; decisions: { itemId: string; decision: DecisionKind; role?: string; justification?: string }[] }, { saved: number }>;
  bulkDecide: Action<{ campaignId: string; itemIds: string[]; decision: DecisionKind; role?: string; justification?: string }, { saved: number }>;
  clearDrafts: Action<{ campaignId: string; itemIds: string[] }, { cleared: number }>;
  submitDecisions: Action<{ campaignId: string; acknowledgeRubberStamp?: boolean }, SubmitResult>;
  reassign: Action<{ campaignId: string; itemIds: string[]; toPersonId: string; reason: string }, { count: number }>;
}

type Filters = Omit<WorkspaceQuery, "campaignId" | "offset" | "limit">;

const PAGE = 200;
const ROW_HEIGHT = 52;
// minmax(0, …): columns shrink and truncate instead of pushing the last ones out of view.
const COLUMNS = "grid grid-cols-[1.25rem_minmax(0,1.6fr)_minmax(0,1.6fr)_minmax(0,1.2fr)_6.5rem_5.5rem] items-center gap-2 px-3";
const COLUMNS_ALL = "grid grid-cols-[1.25rem_minmax(0,1.5fr)_minmax(0,1.5fr)_minmax(0,1fr)_minmax(0,1fr)_6.5rem_5.5rem] items-center gap-2 px-3";

function queryString(campaignId: string, f: Filters, offset: number): string {
  const p = new URLSearchParams({ view: f.view, offset: String(offset), limit: String(PAGE) });
  for (const key of ["search", "teamPdId", "role", "risk", "state", "kind", "sort", "dir"] as const) {
    const v = f[key];
    if (v) p.set(key, v);
  }
  return `/api/reviews/${campaignId}/items?${p.toString()}`;
}

async function fetchPage(url: string): Promise<WorkspacePage> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  const body = (await res.json().catch(() => null)) as (WorkspacePage & { error?: string }) | null;
  if (!res.ok || !body) throw new Error(body?.error ?? `The items could not be loaded (HTTP ${res.status}).`);
  return body;
}

/** A target of a decision: one item (the active row) or the selection. */
function decisionRequest(decision: DecisionKind, targets: WorkspaceItem[], justifyHighRisk: boolean): DecisionRequest {
  const modify = targets.reduce<string[] | null>((acc, t) => (acc === null ? [...t.modifyRoles] : acc.filter((r) => t.modifyRoles.includes(r))), null) ?? [];
  const first = targets[0]!;
  return {
    decision,
    count: targets.length,
    subject: `${first.subjectName} — ${first.entitlementLabel}`,
    justificationRequired: decision !== "CERTIFY" || (justifyHighRisk && targets.some((t) => t.risks.length > 0)),
    modifyOptions: modify.map((r) => ({ value: r, label: roleLabel(r) })),
  };
}

const isTyping = (el: EventTarget | null) => el instanceof HTMLElement && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

/**
 * The reviewer workspace of one campaign: a virtualized table over server-side search, filters, sort and
 * paging (TanStack Query), the active item's context, decisions kept as drafts, bulk decisions over the
 * selection, keyboard shortcuts, and Submit with the rubber-stamp "second look".
 */
export function ReviewWorkspace({
  campaignId,
  active,
  allowAll,
  justifyHighRisk,
  canReassign,
  actions,
}: {
  campaignId: string;
  /** The campaign takes decisions (ACTIVE). */
  active: boolean;
  /** Admins and auditors may switch to every item of the campaign. */
  allowAll: boolean;
  justifyHighRisk: boolean;
  /** Whether the reviewer picker answers this person (lib/reviews/candidates.ts): reassigning needs it. */
  canReassign: boolean;
  actions: WorkspaceActions;
}) {
  const [filters, setFilters] = useState<Filters>({ view: allowAll && !active ? "all" : "mine", sort: "subject", dir: "asc" });
  const [searchText, setSearchText] = useState("");
  const [activeIndex, setActiveIndex] = useState(0);
  const [selected, setSelected] = useState<ReadonlyMap<string, WorkspaceItem>>(new Map());
  const [dialog, setDialog] = useState<{ request: DecisionRequest; itemIds: string[] } | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [reassigning, setReassigning] = useState<{ itemIds: string[]; error: string | null } | null>(null);
  const [secondLook, setSecondLook] = useState<{ reason: string; count: number } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const scroller = useRef<HTMLDivElement>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const client = useQueryClient();

  // Search runs on the server, a moment after typing stops.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.search === (searchText.trim() || undefined) ? f : { ...f, search: searchText.trim() || undefined })), 250);
    return () => clearTimeout(t);
  }, [searchText]);

  const key = useMemo(() => ["review-items", campaignId, filters] as const, [campaignId, filters]);
  // One query per page of PAGE items, fetched when the page scrolls into view: jumping to the end of
  // 10,000 items loads that page only, not every page before it.
  const pageQuery = useCallback(
    (page: number) => ({
      queryKey: [...key, page] as const,
      queryFn: () => fetchPage(queryString(campaignId, filters, page * PAGE)),
      // Revocations in flight: follow them to verified (or failed) without a reload.
      refetchInterval: (q: { state: { data?: WorkspacePage } }) => (q.state.data?.items.some((i) => i.remediation === "PENDING") ? 3_000 : false),
    }),
    [key, campaignId, filters],
  );
  const query = useQuery(pageQuery(0));
  const head = query.data;
  const total = head?.total ?? 0;

  // Filters changed: back to the top, selection cleared (it may hold rows no longer shown).
  useEffect(() => {
    setActiveIndex(0);
    setSelected(new Map());
    scroller.current?.scrollTo({ top: 0 });
  }, [filters]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's functions must not be memoized by the compiler
  const virtual = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const virtualItems = virtual.getVirtualItems();
  const firstPage = Math.floor((virtualItems[0]?.index ?? 0) / PAGE);
  const lastPage = Math.floor((virtualItems.at(-1)?.index ?? 0) / PAGE);
  const wanted = Array.from({ length: Math.max(0, lastPage - firstPage + 1) }, (_, k) => firstPage + k).filter((p) => p > 0);
  const pageResults = useQueries({ queries: wanted.map(pageQuery) });
  const fetching = query.isFetching || pageResults.some((r) => r.isFetching);

  /** The item at a row index, from the pages in view or, failing that, the cache. */
  const itemAt = (index: number): WorkspaceItem | undefined => {
    const page = Math.floor(index / PAGE);
    const data = page === 0 ? head : (pageResults[wanted.indexOf(page)]?.data ?? client.getQueryData<WorkspacePage>([...key, page]));
    return data?.items[index - page * PAGE];
  };
  const current = itemAt(activeIndex) ?? null;
  const refresh = useCallback(() => client.invalidateQueries({ queryKey: ["review-items", campaignId] }), [client, campaignId]);

  const move = useCallback(
    (delta: number) => {
      setActiveIndex((i) => {
        const next = Math.max(0, Math.min(total - 1, i + delta));
        virtual.scrollToIndex(next, { align: "auto" });
        return next;
      });
    },
    [total, virtual],
  );

  const toggle = useCallback((item: WorkspaceItem) => {
    setSelected((s) => {
      const n = new Map(s);
      if (n.has(item.id)) n.delete(item.id);
      else n.set(item.id, item);
      return n;
    });
  }, []);

  /** The items a decision applies to: the selection when there is one, else the active row. */
  const targets = useCallback((): WorkspaceItem[] => {
    const pool = selected.size ? [...selected.values()] : current ? [current] : [];
    return pool.filter((i) => i.decidable);
  }, [selected, current]);

  const save = useCallback(
    (decision: DecisionKind, itemIds: string[], justification?: string, role?: string) => {
      start(async () => {
        const extra = { ...(justification ? { justification } : {}), ...(role ? { role } : {}) };
        const r =
          itemIds.length === 1
            ? await actions.saveDrafts({ campaignId, decisions: [{ itemId: itemIds[0]!, decision, ...extra }] })
            : await actions.bulkDecide({ campaignId, itemIds, decision, ...extra });
        if (!r.ok) {
          if (dialog) setDialogError(r.error);
          else setMessage({ ok: false, text: r.error });
          return;
        }
        setDialog(null);
        setDialogError(null);
        setMessage({ ok: true, text: `${DECISION_LABEL[decision]}: ${r.data.saved} draft${r.data.saved === 1 ? "" : "s"} saved. Submit the batch when you are done.` });
        if (itemIds.length > 1) setSelected(new Map());
        else move(1);
        await refresh();
      });
    },
    [actions, campaignId, dialog, move, refresh],
  );

  const decide = useCallback(
    (decision: DecisionKind) => {
      if (!active) return;
      const t = targets();
      if (!t.length) {
        setMessage({ ok: false, text: selected.size ? "None of the selected items is yours to decide." : "This item is not yours to decide." });
        return;
      }
      const request = decisionRequest(decision, t, justifyHighRisk);
      if (decision === "CERTIFY" && !request.justificationRequired) return save("CERTIFY", t.map((i) => i.id));
      setDialogError(null);
      setDialog({ request, itemIds: t.map((i) => i.id) });
    },
    [active, targets, selected.size, justifyHighRisk, save],
  );

  const undo = useCallback(
    (item: WorkspaceItem) =>
      start(async () => {
        const r = await actions.clearDrafts({ campaignId, itemIds: [item.id] });
        setMessage(r.ok ? { ok: true, text: "Draft cleared." } : { ok: false, text: r.error });
        await refresh();
      }),
    [actions, campaignId, refresh],
  );

  const reassign = useCallback(
    (toPersonId: string, reason: string) => {
      if (!reassigning) return;
      start(async () => {
        const r = await actions.reassign({ campaignId, itemIds: reassigning.itemIds, toPersonId, reason });
        if (!r.ok) return setReassigning({ ...reassigning, error: r.error });
        setReassigning(null);
        setSelected(new Map());
        setMessage({ ok: true, text: `${r.data.count} item${r.data.count === 1 ? "" : "s"} reassigned.` });
        await refresh();
      });
    },
    [actions, campaignId, reassigning, refresh],
  );

  const submit = useCallback(
    (acknowledgeRubberStamp: boolean) =>
      start(async () => {
        const r = await actions.submitDecisions({ campaignId, acknowledgeRubberStamp });
        if (!r.ok) {
          setSecondLook(null);
          setMessage({ ok: false, text: r.error + (r.fieldErrors ? ` (${Object.keys(r.fieldErrors).length} item${Object.keys(r.fieldErrors).length === 1 ? "" : "s"} need a justification)` : "") });
          return;
        }
        if (!r.data.submitted) {
          setSecondLook(r.data.rubberStampPrompt);
          return;
        }
        setSecondLook(null);
        const d = r.data;
        setMessage({
          ok: true,
          text: `Submitted ${d.count} decision${d.count === 1 ? "" : "s"}: ${d.certified} certified, ${d.revoked} revoked, ${d.modified} modified.${d.remediations ? ` ${d.remediations} change${d.remediations === 1 ? "" : "s"} sent to PagerDuty; each is verified by reading PagerDuty again.` : ""}${d.secondStep ? ` ${d.secondStep} go to a second reviewer.` : ""}${d.rubberStamp ? " The batch is flagged for review in the report." : ""}`,
        });
        await refresh();
      }),
    [actions, campaignId, refresh],
  );

  // Keyboard shortcuts, off while typing or while a dialog is open.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || dialog || secondLook || reassigning) return;
      if (help) return;
      const run: Record<string, () => void> = {
        j: () => move(1),
        ArrowDown: () => move(1),
        k: () => move(-1),
        ArrowUp: () => move(-1),
        x: () => current && toggle(current),
        c: () => decide("CERTIFY"),
        r: () => decide("REVOKE"),
        m: () => decide("MODIFY"),
        "?": () => setHelp(true),
        "/": () => searchBox.current?.focus(),
      };
      const handler = run[e.key];
      if (!handler) return;
      e.preventDefault();
      handler();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [dialog, secondLook, reassigning, help, move, toggle, decide, current]);

  const counts = head?.counts;
  const facets = head?.facets;
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  // "Select all": the items of the pages in view (up to a few hundred) that this person may decide.
  const loadedDecidable = [head, ...pageResults.map((r) => r.data)].flatMap((page) => page?.items ?? []).filter((i) => i.decidable);
  const allSelected = loadedDecidable.length > 0 && loadedDecidable.every((i) => selected.has(i.id));
  const columns = filters.view === "all" ? COLUMNS_ALL : COLUMNS;
  const select = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_18rem] 2xl:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="min-w-0 space-y-3">
        <form role="search" aria-label="Filter review items" className="flex flex-wrap items-end gap-2" onSubmit={(e) => e.preventDefault()}>
          <div className="min-w-48 flex-1">
            <label htmlFor="review-search" className="block text-xs font-medium text-slate-700">Search</label>
            <input id="review-search" ref={searchBox} type="search" data-testid="review-search" placeholder="Name, email or access  ( / )" value={searchText} onChange={(e) => setSearchText(e.target.value)} className={`mt-1 w-full ${select}`} />
          </div>
          <div>
            <label htmlFor="review-team" className="block text-xs font-medium text-slate-700">Team</label>
            <select id="review-team" data-testid="filter-team" value={filters.teamPdId ?? ""} onChange={(e) => set({ teamPdId: e.target.value || undefined })} className={`mt-1 ${select}`}>
              <option value="">All teams</option>
              {facets?.teams.map((t) => (
                <option key={t.id} value={t.id}>{t.name}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="review-role" className="block text-xs font-medium text-slate-700">Role</label>
            <select id="review-role" data-testid="filter-role" value={filters.role ?? ""} onChange={(e) => set({ role: e.target.value || undefined })} className={`mt-1 ${select}`}>
              <option value="">All roles</option>
              {facets?.roles.map((r) => (
                <option key={r} value={r}>{roleLabel(r)}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="review-risk" className="block text-xs font-medium text-slate-700">Risk</label>
            <select id="review-risk" data-testid="filter-risk" value={filters.risk ?? ""} onChange={(e) => set({ risk: (e.target.value || undefined) as Filters["risk"] })} className={`mt-1 ${select}`}>
              <option value="">Any risk</option>
              {RISKS.map((r) => (
                <option key={r} value={r}>{RISK_LABELS[r]}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="review-state" className="block text-xs font-medium text-slate-700">Decision</label>
            <select id="review-state" data-testid="filter-state" value={filters.state ?? ""} onChange={(e) => set({ state: (e.target.value || undefined) as Filters["state"] })} className={`mt-1 ${select}`}>
              <option value="">All{counts ? ` (${counts.undecided + counts.draft + counts.decided + counts.exception})` : ""}</option>
              <option value="undecided">Undecided{counts ? ` (${counts.undecided})` : ""}</option>
              <option value="draft">Drafts{counts ? ` (${counts.draft})` : ""}</option>
              <option value="decided">Submitted{counts ? ` (${counts.decided})` : ""}</option>
              <option value="exception">Exceptions{counts ? ` (${counts.exception})` : ""}</option>
            </select>
          </div>
          <div>
            <label htmlFor="review-sort" className="block text-xs font-medium text-slate-700">Sort</label>
            <select
              id="review-sort"
              data-testid="sort"
              value={`${filters.sort ?? "subject"}:${filters.dir ?? "asc"}`}
              onChange={(e) => {
                const [sort, dir] = e.target.value.split(":") as [Filters["sort"], Filters["dir"]];
                set({ sort, dir });
              }}
              className={`mt-1 ${select}`}
            >
              <option value="subject:asc">Person A→Z</option>
              <option value="subject:desc">Person Z→A</option>
              <option value="entitlement:asc">Access A→Z</option>
              <option value="risk:desc">Highest risk first</option>
              <option value="state:asc">Undecided first</option>
              {filters.view === "all" && <option value="reviewer:asc">Reviewer A→Z</option>}
            </select>
          </div>
          {allowAll && (
            <div>
              <label htmlFor="review-view" className="block text-xs font-medium text-slate-700">Show</label>
              <select id="review-view" data-testid="filter-view" value={filters.view} onChange={(e) => set({ view: e.target.value as Filters["view"] })} className={`mt-1 ${select}`}>
                <option value="mine">Items I review</option>
                <option value="all">Every item</option>
              </select>
            </div>
          )}
          <button type="button" onClick={() => setHelp(true)} className="rounded-md border border-slate-300 px-2 py-1.5 text-sm text-slate-700" aria-label="Keyboard shortcuts">
            ?
          </button>
        </form>

        {active && (
          <div className="flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm" data-testid="bulk-bar">
            <span className="text-slate-700" aria-live="polite">
              {selected.size ? `${selected.size} selected` : current ? "Decide the highlighted item, or select several (x)" : "Nothing to decide here"}
            </span>
            <span className="flex-1" />
            {(["CERTIFY", "REVOKE", "MODIFY"] as const).map((d) => (
              <button
                key={d}
                type="button"
                data-testid={`decide-${d.toLowerCase()}`}
                disabled={pending || targets().length === 0}
                onClick={() => decide(d)}
                className={`rounded-md border px-3 py-1 text-sm font-medium disabled:opacity-40 ${d === "CERTIFY" ? "border-emerald-300 text-emerald-800 hover:bg-emerald-50" : d === "REVOKE" ? "border-red-300 text-red-700 hover:bg-red-50" : "border-amber-300 text-amber-800 hover:bg-amber-50"}`}
              >
                {DECISION_LABEL[d]}
                {selected.size > 1 ? ` ${selected.size}` : ""} <kbd className="ml-1 text-[10px] text-slate-400">{d.charAt(0).toLowerCase()}</kbd>
              </button>
            ))}
            <button
              type="button"
              data-testid="reassign"
              disabled={pending || targets().length === 0 || !canReassign}
              onClick={() => setReassigning({ itemIds: targets().map((i) => i.id), error: null })}
              className="rounded-md border border-slate-300 px-3 py-1 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-40"
            >
              Reassign…
            </button>
            <button
              type="button"
              data-testid="submit-batch"
              disabled={pending || !counts?.draft}
              onClick={() => submit(false)}
              className="rounded-md bg-slate-900 px-3 py-1 text-sm font-medium text-white disabled:opacity-40"
            >
              Submit {counts?.draft ?? 0} draft{counts?.draft === 1 ? "" : "s"}
            </button>
          </div>
        )}
        {message && (
          <p role={message.ok ? "status" : "alert"} data-testid="workspace-message" className={`rounded-md px-3 py-2 text-sm ${message.ok ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-800"}`}>
            {message.text}
          </p>
        )}

        {query.isError ? (
          <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">
            {query.error.message}{" "}
            <button type="button" className="underline" onClick={() => void query.refetch()}>
              Try again
            </button>
          </p>
        ) : query.isPending ? (
          <p className="rounded-lg border border-slate-200 bg-white p-8 text-center text-sm text-slate-500" role="status">
            Loading items…
          </p>
        ) : total === 0 ? (
          <div className="rounded-lg border border-slate-200 bg-white p-8 text-center" data-testid="workspace-empty">
            <p className="font-medium text-slate-800">{filters.search || filters.teamPdId || filters.role || filters.risk || filters.state || filters.kind ? "No item matches these filters" : filters.view === "mine" ? "No item of this campaign is assigned to you" : "This campaign has no items"}</p>
            <p className="mt-1 text-sm text-slate-600">{filters.view === "mine" && allowAll ? "Show every item to see the whole campaign." : "Clear the search or a filter to see more."}</p>
          </div>
        ) : (
          <div role="grid" aria-label="Review items" aria-rowcount={total + 1} aria-multiselectable="true" className="rounded-lg border border-slate-200 bg-white text-sm">
            <div role="rowgroup">
              <div role="row" className={`${columns} border-b border-slate-200 bg-slate-50 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500`}>
                <span role="columnheader">
                  {active && (
                    <input
                      type="checkbox"
                      aria-label={`Select all ${loadedDecidable.length} loaded items you may decide`}
                      data-testid="select-all"
                      checked={allSelected}
                      onChange={() => setSelected(allSelected ? new Map() : new Map(loadedDecidable.map((i) => [i.id, i])))}
                    />
                  )}
                </span>
                <span role="columnheader">Person</span>
                <span role="columnheader">Access</span>
                <span role="columnheader">Risk</span>
                {filters.view === "all" && <span role="columnheader">Reviewer</span>}
                <span role="columnheader">Decision</span>
                <span role="columnheader">Remediation</span>
              </div>
            </div>
            <div ref={scroller} role="rowgroup" data-testid="review-scroller" className="max-h-[65vh] overflow-auto">
              <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
                {virtualItems.map((v) => {
                  const item = itemAt(v.index);
                  const style = { height: ROW_HEIGHT, transform: `translateY(${v.start}px)` };
                  if (!item)
                    return (
                      <div key={`loading-${v.index}`} role="row" aria-rowindex={v.index + 2} className={`${columns} absolute left-0 top-0 w-full border-b border-slate-100 text-xs text-slate-400`} style={style}>
                        <span role="gridcell" className="col-span-5">Loading…</span>
                      </div>
                    );
                  const isActive = v.index === activeIndex;
                  const shown = item.draft ?? item.decision;
                  return (
                    <div
                      key={item.id}
                      role="row"
                      aria-rowindex={v.index + 2}
                      aria-selected={selected.has(item.id)}
                      aria-current={isActive ? "true" : undefined}
                      data-testid="review-row"
                      data-item-id={item.id}
                      data-subject={item.subjectEmail}
                      data-team={item.teamPdId ?? undefined}
                      data-pd-user={item.pdUserId ?? undefined}
                      onClick={() => setActiveIndex(v.index)}
                      className={`${columns} absolute left-0 top-0 w-full cursor-default border-b border-slate-100 ${isActive ? "bg-emerald-50/70 outline-2 -outline-offset-2 outline-emerald-600" : selected.has(item.id) ? "bg-sky-50" : "hover:bg-slate-50"}`}
                      style={style}
                    >
                      <span role="gridcell">
                        {active && item.decidable && <input type="checkbox" aria-label={`Select ${item.subjectName}, ${item.entitlementLabel}`} data-testid="row-select" checked={selected.has(item.id)} onChange={() => toggle(item)} onClick={(e) => e.stopPropagation()} />}
                      </span>
                      <span role="gridcell" className="min-w-0">
                        <span className="block truncate font-medium text-slate-900">{item.subjectName}</span>
                        <span className="block truncate text-xs text-slate-500">{item.subjectEmail}</span>
                      </span>
                      <span role="gridcell" className="min-w-0">
                        <span className="block truncate text-slate-800">{item.entitlementLabel}</span>
                        <span className="block truncate text-xs text-slate-500">
                          {KIND_LABEL[item.kind]}
                          {item.requestId && (
                            <>
                              {" · "}
                              <a href={`/requests/${item.requestId}`} onClick={(e) => e.stopPropagation()} className="text-emerald-700 underline" data-testid="row-request-link">
                                request
                              </a>
                            </>
                          )}
                          {item.step > 1 ? " · second step" : ""}
                        </span>
                      </span>
                      <span role="gridcell" className="min-w-0 overflow-hidden">
                        <RiskBadges risks={item.risks} max={2} short />
                      </span>
                      {filters.view === "all" && (
                        <span role="gridcell" className="truncate text-xs text-slate-700" title={item.reviewerReason}>
                          {item.reviewerName ?? "—"}
                        </span>
                      )}
                      <span role="gridcell" data-testid="row-decision">
                        {item.state === "EXCEPTION" ? <span className="rounded-full bg-orange-50 px-2 py-0.5 text-xs font-medium text-orange-800">Exception</span> : <DecisionBadge decision={shown?.decision ?? null} draft={Boolean(item.draft)} />}
                        {item.draft && active && item.decidable && (
                          <button type="button" className="ml-1 text-xs text-slate-500 underline" onClick={(e) => {
                              e.stopPropagation();
                              undo(item);
                            }} aria-label={`Clear the draft for ${item.subjectName}`}>
                            undo
                          </button>
                        )}
                      </span>
                      <span role="gridcell">
                        <RemediationBadge state={item.remediation} error={item.remediationError} />
                      </span>
                    </div>
                  );
                })}
              </div>
            </div>
            <p className="border-t border-slate-100 px-3 py-1.5 text-xs text-slate-500" aria-live="polite" data-testid="review-total" data-total={total}>
              {total} item{total === 1 ? "" : "s"}
              {selected.size ? ` · ${selected.size} selected` : ""}
              {fetching ? " · updating…" : ""}
            </p>
          </div>
        )}
      </div>

      <ContextPanel campaignId={campaignId} item={current} />

      <DecisionDialog request={dialog?.request ?? null} pending={pending} error={dialogError} onCancel={() => setDialog(null)} onConfirm={(justification, role) => dialog && save(dialog.request.decision, dialog.itemIds, justification || undefined, role ?? undefined)} />
      <SecondLookDialog prompt={secondLook} pending={pending} onLookAgain={() => setSecondLook(null)} onConfirm={() => submit(true)} />
      <ReassignDialog count={reassigning?.itemIds.length ?? null} pending={pending} error={reassigning?.error ?? null} onCancel={() => setReassigning(null)} onConfirm={reassign} />
      <ShortcutsHelp open={help} onClose={() => setHelp(false)} />
    </div>
  );
}
