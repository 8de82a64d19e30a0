"use client";

import { derivedEndpoint, effectiveTokenUrl, instanceUrl, parseInstanceUrl } from "@/lib/connections/instance";

/**
 * What the portal will talk to, derived from the instance URL as it is typed: the account, PagerDuty's API
 * and identity hosts for its region, or the custom endpoint when one is given. Shown before anything is
 * saved, so the admin sees where the credential will be sent.
 */
export function EndpointPreview({ instance, apiBaseUrl, oauthTokenUrl, showToken }: { instance: string; apiBaseUrl: string; oauthTokenUrl: string; showToken: boolean }) {
  if (instance.trim() === "") return null;
  const parsed = parseInstanceUrl(instance);
  if ("error" in parsed) {
    return (
      <p className="text-xs text-amber-800" data-testid="endpoint-preview">
        {parsed.error}
      </p>
    );
  }
  const derived = derivedEndpoint(parsed);
  const endpoint = { ...derived, apiBaseUrl: apiBaseUrl.trim().replace(/\/+$/, "") || derived.apiBaseUrl, oauthTokenUrl: oauthTokenUrl.trim() || null };
  let tokenUrl = "";
  try {
    tokenUrl = effectiveTokenUrl(endpoint);
  } catch {
    tokenUrl = "(the custom API base URL is not a URL yet)";
  }
  const rows: [string, string, boolean][] = [
    ["Account", `${instanceUrl(parsed)} (subdomain ${parsed.subdomain}, ${parsed.region} region)`, false],
    ["API", endpoint.apiBaseUrl, endpoint.apiBaseUrl !== derived.apiBaseUrl],
  ];
  if (showToken) rows.push(["OAuth token", tokenUrl, endpoint.apiBaseUrl !== derived.apiBaseUrl || endpoint.oauthTokenUrl !== null]);
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-700" data-testid="endpoint-preview" aria-label="Where the credential will be sent">
      {rows.map(([label, value, custom]) => (
        <div key={label} className="contents">
          <dt className="font-medium">{label}</dt>
          <dd>
            <code>{value}</code>
            {custom && <span className="ml-1 text-amber-800">(custom endpoint: must be allow-listed)</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
