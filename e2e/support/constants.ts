/** Ports and credentials of the end-to-end environment (all on loopback). */
export const E2E = {
  portalPort: 3100,
  portalUrl: "http://localhost:3100",
  oidcPort: 4400,
  oidcIssuer: "http://127.0.0.1:4400",
  oidcClientId: "portal-e2e",
  oidcClientSecret: "portal-e2e-secret-0123456789",
  dataDir: ".data/e2e",
} as const;
