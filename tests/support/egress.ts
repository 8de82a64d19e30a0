/**
 * Vitest setup (vitest.config.ts setupFiles): the operator's allow-list for tests, and no real DNS.
 *
 * Every PagerDuty the tests talk to is a local server (the simulator, stand-ins, fault proxies) on
 * 127.0.0.1, so that is what the test "operator" lists, exactly as a deployment lists its proxy in
 * PAGERDUTY_ALLOWED_HOSTS (child processes the tests spawn inherit it). The guard itself is not weakened:
 * anything else is refused as in production. Its resolver refuses every name, so no test can make a real
 * DNS lookup through the guard; tests that need names install their own guard with a stub resolver.
 */
import { configuredAllowedHosts, createEgressGuard, setEgressGuard } from "@/lib/net/egress";

process.env.PAGERDUTY_ALLOWED_HOSTS ??= "127.0.0.1,[::1]";

setEgressGuard(
  createEgressGuard({
    allowedHosts: configuredAllowedHosts(),
    resolver: async (hostname) => {
      throw new Error(`tests make no DNS lookups (asked for ${hostname})`);
    },
  }),
);
