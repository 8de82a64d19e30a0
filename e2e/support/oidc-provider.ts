/**
 * A real OpenID Connect provider (node-oidc-provider, a certified implementation) for end-to-end tests
 * and for trying SSO locally: `npm run oidc:dev`. It signs people in with an email and password from
 * a fixed directory, and issues verified-email claims exactly as Okta/Entra/Google would.
 */
import http from "node:http";
import { once } from "node:events";
import Provider, { type Configuration } from "oidc-provider";

export interface DirectoryPerson {
  email: string;
  name: string;
  password: string;
  emailVerified?: boolean;
}

export const E2E_DIRECTORY: DirectoryPerson[] = [
  { email: "olivia.oidc@example.com", name: "Olivia Oidc", password: "correct horse" },
  { email: "rita.reviewer@example.com", name: "Rita Reviewer", password: "correct horse" },
  { email: "ursula.unverified@example.com", name: "Ursula Unverified", password: "correct horse", emailVerified: false },
];

export interface OidcProviderOptions {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  directory?: DirectoryPerson[];
  /**
   * E-mail domains whose every address signs in with the password "correct horse" (the people of a
   * simulated PagerDuty organisation, first.last@acme.example.com, so a spec can sign in as one of them).
   */
  openDomains?: string[];
}

/** "ada.b.lovelace@acme.example.com" → "Ada B Lovelace". */
const nameOf = (email: string) => email.split("@")[0]!.split(/[._]/).filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:system-ui;max-width:24rem;margin:3rem auto">${body}</body></html>`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function startOidcProvider(opts: OidcProviderOptions) {
  const listed = opts.directory ?? E2E_DIRECTORY;
  const open = new Set((opts.openDomains ?? []).map((d) => d.toLowerCase()));
  const directory = {
    find(match: (p: DirectoryPerson) => boolean, email: string | undefined): DirectoryPerson | undefined {
      const known = listed.find(match);
      if (known || !email) return known;
      const domain = email.split("@")[1]?.toLowerCase();
      const person = domain && open.has(domain) ? { email: email.toLowerCase(), name: nameOf(email), password: "correct horse" } : undefined;
      return person && match(person) ? person : undefined;
    },
  };
  const issuer = `http://127.0.0.1:${opts.port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "email", "profile"],
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["e2e-oidc-cookie-key-0123456789"] },
    async findAccount(_ctx, sub) {
      const person = directory.find((p) => p.email === sub, sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: person.email, email_verified: person.emailVerified ?? true, name: person.name }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === "login") {
        if (req.method === "POST" && m[2]) {
          const form = await readForm(req);
          const email = form.get("email")?.trim().toLowerCase();
          const person = directory.find((p) => p.email === email && p.password === form.get("password"), email);
          if (!person) {
            res.writeHead(401, { "content-type": "text/html" });
            return res.end(page("Sign in", `<p role="alert">Wrong email or password.</p><a href="/interaction/${details.uid}">Try again</a>`));
          }
          return provider.interactionFinished(req, res, { login: { accountId: person.email } }, { mergeWithLastSubmission: false });
        }
        res.writeHead(200, { "content-type": "text/html" });
        return res.end(
          page(
            "Sign in",
            `<h1>Example IdP</h1><form method="post" action="/interaction/${escapeHtml(details.uid)}/login">
             <label>Email <input name="email" type="email" autocomplete="username" required></label><br>
             <label>Password <input name="password" type="password" autocomplete="current-password" required></label><br>
             <button type="submit">Sign in</button></form>`,
          ),
        );
      }
      // Consent: a first-party SSO app is consented automatically, as an IdP admin would configure it.
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
      if (!grant) throw new Error("grant not found");
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (err) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(`interaction failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  server.listen(opts.port, "127.0.0.1");
  await once(server, "listening");
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// Standalone: npm run oidc:dev (issuer http://127.0.0.1:4400, client "portal"/"portal-dev-secret").
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "\0")) {
  const port = Number(process.env.OIDC_PORT ?? 4400);
  const portal = process.env.PORTAL_URL ?? "http://localhost:3000";
  startOidcProvider({ port, clientId: "portal", clientSecret: "portal-dev-secret", redirectUris: [`${portal}/api/auth/callback/oidc`] }).then(({ issuer }) => {
    console.log(`OpenID provider ready at ${issuer} (client "portal", secret "portal-dev-secret")`);
    for (const p of E2E_DIRECTORY) console.log(`  ${p.email} / ${p.password}${p.emailVerified === false ? " (unverified email)" : ""}`);
  });
}
