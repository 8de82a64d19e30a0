/**
 * `npm run simulator -- --port 4010 --seed 1 --users 60 --teams 8 --schedules 6 [--escalation-policies 6]
 *   [--rate-limit 960] [--latency-ms 0] [--token <full-access key>]`
 * Prints the base URL and the keys when ready; SIGINT/SIGTERM close it.
 */
import { parseArgs } from "node:util";
import { startSimulator, type SimulatorOptions } from "./index";

const USAGE =
  "usage: npm run simulator -- [--port <n>] [--seed <n>] [--users <n>] [--teams <n>] [--schedules <n>] [--escalation-policies <n>] " +
  "[--rate-limit <requests per minute per credential; 0 = off>] [--latency-ms <n>] [--token <full-access key>] [--subdomain <name>]";

type IntegerFlag = "port" | "seed" | "users" | "teams" | "schedules" | "escalation-policies" | "rate-limit" | "latency-ms";

/** Turns argv into simulator options; throws an Error whose message a person can act on. */
export function parseCliOptions(argv: string[]): SimulatorOptions & { port: number } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      seed: { type: "string" },
      users: { type: "string" },
      teams: { type: "string" },
      schedules: { type: "string" },
      "escalation-policies": { type: "string" },
      "rate-limit": { type: "string" },
      "latency-ms": { type: "string" },
      token: { type: "string" },
      subdomain: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) throw new Error(USAGE);
  const int = (name: IntegerFlag, min: number, max: number): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return Number(raw);
  };
  const token = values.token;
  if (token !== undefined && (token.trim() === "" || /\s/.test(token))) throw new Error("--token must be a non-empty key without spaces");
  const subdomain = values.subdomain;
  if (subdomain !== undefined && !/^[a-z0-9-]+$/i.test(subdomain)) throw new Error("--subdomain must be letters, digits and dashes");
  const size = {
    users: int("users", 1, 200_000),
    teams: int("teams", 0, 50_000),
    schedules: int("schedules", 0, 50_000),
    escalationPolicies: int("escalation-policies", 0, 50_000),
  };
  return {
    port: int("port", 0, 65_535) ?? 0,
    seed: int("seed", 0, 2 ** 32 - 1),
    size: Object.fromEntries(Object.entries(size).filter(([, v]) => v !== undefined)),
    rateLimitPerMinute: int("rate-limit", 0, 1_000_000),
    latencyMs: int("latency-ms", 0, 600_000),
    fullAccessKey: token,
    subdomain,
  };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseCliOptions>;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    if (!(error instanceof Error && error.message === USAGE)) console.error(USAGE);
    process.exit(2);
  }
  const sim = await startSimulator(options);
  const counts = sim.state.data;
  console.log(`PagerDuty simulator listening on ${sim.url}`);
  console.log(`  organisation: ${counts.users.size} users, ${counts.teams.size} teams, ${counts.schedules.size} schedules, ${counts.escalationPolicies.size} escalation policies (subdomain ${counts.subdomain})`);
  console.log(`  full access key: ${sim.keys.full}`);
  console.log(`  read-only key:   ${sim.keys.readOnly}`);
  console.log(`  user key (owner): ${sim.keys.user}`);
  console.log(`  OAuth app: client id ${sim.oauth.clientId}, secret ${sim.oauth.clientSecret}, token URL ${sim.oauth.tokenUrl}`);
  console.log(`  control API: ${sim.url}/__sim/state (see simulator/README.md)`);
  const stop = (signal: string) => {
    console.log(`${signal}: closing the simulator`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("simulator/cli.ts")) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
