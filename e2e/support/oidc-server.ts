import { E2E } from "./constants";
import { startOidcProvider } from "./oidc-provider";

await startOidcProvider({
  port: E2E.oidcPort,
  clientId: E2E.oidcClientId,
  clientSecret: E2E.oidcClientSecret,
  redirectUris: [`${E2E.portalUrl}/api/auth/callback/oidc`],
  // The people of the simulated PagerDuty organisations the specs start (subdomain "acme").
  openDomains: ["acme.example.com"],
});
console.log(`e2e OpenID provider at ${E2E.oidcIssuer}`);
