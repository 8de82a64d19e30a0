/** Configurations the portal runs with, as environment variables (lib/config/env.ts parses them). */

/** A deployment: real secrets, a real identity provider, an https public URL. */
export const DEPLOYMENT_ENV: Record<string, string> = {
  DEMO_MODE: "false",
  NEXTAUTH_URL: "https://access.example.com",
  NEXTAUTH_SECRET: "a-test-secret-that-is-long-enough-0123456789",
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
  OIDC_ISSUER: "https://idp.example.com",
  OIDC_CLIENT_ID: "portal",
  OIDC_CLIENT_SECRET: "portal-secret",
  OIDC_DISPLAY_NAME: "Okta",
};

/** `npm run demo` (scripts/demo.ts): production build, embedded database, localhost. */
export const NPM_RUN_DEMO_ENV: Record<string, string> = {
  NODE_ENV: "production",
  DEMO_MODE: "true",
  PGLITE_DATA_DIR: ".data/demo",
  NEXTAUTH_URL: "http://localhost:3000",
};

/** The Playwright portal (scripts/e2e-server.ts): demo mode beside the local OpenID provider. */
export const E2E_SERVER_ENV: Record<string, string> = {
  NODE_ENV: "production",
  DEMO_MODE: "true",
  PGLITE_DATA_DIR: ".data/e2e",
  NEXTAUTH_URL: "http://localhost:3100",
  OIDC_ISSUER: "http://127.0.0.1:4400",
  OIDC_CLIENT_ID: "portal-e2e",
  OIDC_CLIENT_SECRET: "portal-e2e-secret-0123456789",
  OIDC_DISPLAY_NAME: "Example IdP",
};

/** Trying SSO locally (README): `npm run oidc:dev` beside `npm run dev` in demo mode. */
export const OIDC_DEV_ENV: Record<string, string> = {
  DEMO_MODE: "true",
  OIDC_ISSUER: "http://127.0.0.1:4400",
  OIDC_CLIENT_ID: "portal",
  OIDC_CLIENT_SECRET: "portal-dev-secret",
};
