/** Other ports when 3100 / 4400 are taken (a `next dev`, another run on the same machine): E2E_PORTAL_PORT, E2E_OIDC_PORT. */
const portalPort = Number(process.env.E2E_PORTAL_PORT ?? 3100);
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 4400);

/** Ports and credentials of the end-to-end environment (all on loopback). */
export const E2E = {
  portalPort,
  portalUrl: `http://localhost:${portalPort}`,
  oidcPort,
  oidcIssuer: `http://127.0.0.1:${oidcPort}`,
  oidcClientId: "portal-e2e",
  oidcClientSecret: "portal-e2e-secret-0123456789",
  dataDir: ".data/e2e",
  /** The portal's clock file (PORTAL_CLOCK_FILE, lib/config/clock.ts): {"offsetMs": n} moves the portal's time. */
  clockFile: "test-results/portal-clock.json",
} as const;
