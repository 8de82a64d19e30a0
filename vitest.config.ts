import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Outside React Server Components the real package throws; tests call server modules directly.
      "server-only": path.resolve(import.meta.dirname, "tests/support/server-only.ts"),
    },
  },
  test: {
    include: ["tests/**/*.test.ts", "simulator/**/*.test.ts", "lib/**/*.test.ts"],
    environment: "node",
    // The test operator's PagerDuty allow-list (local servers only) and a resolver that refuses every name.
    setupFiles: ["tests/support/egress.ts"],
    // Timeouts only stop a hung test; they assert nothing. On a loaded two-core machine starting PGlite or a
    // child process takes tens of seconds, so they are generous.
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
