/**
 * A PagerDuty account over real HTTP for the connection tests, answering exactly what the credential
 * check asks (lib/pagerduty checkCredential): the identity endpoint (OAuth client credentials), GET
 * /abilities, and the harmless write probes (a read-only key gets 403 code 2010; a full key gets past
 * authorization and is answered 404; an account without the teams ability answers 402 on team routes).
 * The bundled simulator (simulator/) had not landed when these tests were written; this stand-in follows
 * PagerDuty's documented behaviour (NOTES §1.3, §1.5, §2.7).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export const KEYS = {
  full: "u+FullAccess_Key-0001",
  fullNext: "u+FullAccess_Key-0002",
  readOnly: "u+ReadOnly_Key-0003",
  /** Full access on an account without the teams ability (and without the audit trail). */
  noTeams: "u+NoTeams_Key-0004",
  wrong: "u+Wrong_Key-9999",
} as const;

export const OAUTH = { clientId: "portal-app-client", clientSecret: "oauth+Client_Secret-0001", clientSecretNext: "oauth+Client_Secret-0002" } as const;
/** What the stand-in grants an OAuth app (a subset of what the portal asks for). */
export const GRANTED_SCOPES = ["users.read", "teams.read", "schedules.read", "oncalls.read", "escalation_policies.read", "abilities.read"];

export interface PagerDuty {
  url: string;
  /** Authorization headers and token-request secrets seen, to prove which credential was used. */
  seen: { authorizations: string[]; tokenSecrets: string[] };
  close(): Promise<void>;
}

const FULL_ABILITIES = ["teams", "read_only_users", "audit_trail", "advanced_permissions"];

export async function startPagerDuty(): Promise<PagerDuty> {
  const seen = { authorizations: [] as string[], tokenSecrets: [] as string[] };
  const validSecrets = new Set<string>([OAUTH.clientSecret, OAUTH.clientSecretNext]);
  const tokens = new Map<string, "full">();
  let issued = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/oauth/token" && req.method === "POST") {
        const form = new URLSearchParams(body);
        seen.tokenSecrets.push(form.get("client_secret") ?? "");
        if (form.get("grant_type") !== "client_credentials") return json(400, { error: "unsupported_grant_type" });
        if (form.get("client_id") !== OAUTH.clientId || !validSecrets.has(form.get("client_secret") ?? "")) {
          return json(401, { error: "invalid_client", error_description: "Client authentication failed" });
        }
        const asked = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
        const account = asked.find((s) => s.startsWith("as_account-"));
        if (!account) return json(400, { error: "invalid_scope", error_description: "as_account-{region}.{subdomain} is required" });
        const granted = [account, ...asked.filter((s) => GRANTED_SCOPES.includes(s))];
        const token = `pdus+_standin${++issued}`;
        tokens.set(token, "full");
        return json(200, { access_token: token, token_type: "bearer", expires_in: 86_400, scope: granted.join(" ") });
      }
      const auth = req.headers.authorization ?? "";
      seen.authorizations.push(auth);
      let kind: "full" | "readOnly" | "noTeams" | null = null;
      if (auth === `Token token=${KEYS.full}` || auth === `Token token=${KEYS.fullNext}`) kind = "full";
      else if (auth === `Token token=${KEYS.readOnly}`) kind = "readOnly";
      else if (auth === `Token token=${KEYS.noTeams}`) kind = "noTeams";
      else if (auth.startsWith("Bearer ") && tokens.has(auth.slice(7))) kind = "full";
      if (!kind) return json(401, { error: { code: 2006, message: "Authentication failed", errors: [] } });
      if (url.pathname === "/abilities" && req.method === "GET") {
        return json(200, { abilities: kind === "noTeams" ? ["read_only_users"] : FULL_ABILITIES });
      }
      if (kind === "noTeams" && url.pathname.startsWith("/teams")) return json(402, { error: { code: 2014, message: "Account does not have the teams ability" } });
      if (req.method !== "GET") {
        if (kind === "readOnly") return json(403, { error: { code: 2010, message: "Access Denied" } });
        return json(404, { error: { code: 2100, message: "Not Found" } });
      }
      return json(404, { error: { code: 2100, message: "Not Found" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let shared: Promise<PagerDuty> | undefined;
/** One stand-in per test process (for tables of rows, e.g. the role matrix). */
export function sharedPagerDuty(): Promise<PagerDuty> {
  shared ??= startPagerDuty();
  return shared;
}
