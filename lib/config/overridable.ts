import { env, type Env } from "./env";

/**
 * Settings of a domain read from the environment on first use (defaults when it does not parse), which
 * tests and the demo replace in part, e.g. a simulated clock: `configure({now})`; `configure()` restores.
 */
export function overridableSettings<T extends object>(defaults: T, fromEnv: (e: Env) => Partial<T>) {
  let current: T | null = null;
  const load = (): T => {
    try {
      return { ...defaults, ...fromEnv(env()) };
    } catch {
      return { ...defaults };
    }
  };
  return {
    get: (): T => (current ??= load()),
    configure: (options?: Partial<T>): void => {
      current = options ? { ...(current ??= load()), ...options } : load();
    },
  };
}
