/**
 * Route matching by a table built once: exact paths by a map lookup, templated paths by segment count then
 * segment by segment. A literal segment beats a parameter (`/users/me` before `/users/{id}`).
 */
import type { HttpMethod, RouteDef } from "./route";

/** Who a route serves: PagerDuty's API (authenticated), the identity endpoint, or the control API. */
export type RouteKind = "pagerduty" | "identity" | "control";

export interface RouteMatch {
  route: RouteDef;
  kind: RouteKind;
  /** "METHOD /template", the key for stats and per-route faults. */
  key: string;
  params: Record<string, string>;
}

interface Compiled {
  route: RouteDef;
  kind: RouteKind;
  key: string;
  /** Literal text, or null for a parameter. */
  segments: (string | null)[];
  names: string[];
}

export class Router {
  private readonly exact = new Map<string, Compiled>();
  private readonly templated = new Map<string, Compiled[]>();

  constructor(groups: { kind: RouteKind; routes: readonly RouteDef[] }[]) {
    for (const { kind, routes } of groups) {
      for (const route of routes) this.add(route, kind);
    }
    for (const list of this.templated.values()) list.sort((a, b) => specificity(b).localeCompare(specificity(a)));
  }

  /** `path` without the query string. undefined: no route (404), including a known path with another method. */
  match(method: string, path: string): RouteMatch | undefined {
    const exact = this.exact.get(`${method} ${path}`);
    if (exact) return { route: exact.route, kind: exact.kind, key: exact.key, params: {} };
    const parts = path.split("/");
    const candidates = this.templated.get(`${method} ${parts.length}`);
    if (!candidates) return undefined;
    for (const c of candidates) {
      const params = bind(c, parts);
      if (params) return { route: c.route, kind: c.kind, key: c.key, params };
    }
    return undefined;
  }

  private add(route: RouteDef, kind: RouteKind): void {
    const key = `${route.method} ${route.path}`;
    const segments = route.path.split("/").map((s) => (/^\{.+\}$/.test(s) ? null : s));
    const names = route.path.split("/").flatMap((s) => (/^\{.+\}$/.test(s) ? [s.slice(1, -1)] : []));
    const compiled: Compiled = { route, kind, key, segments, names };
    if (this.exact.has(key) || this.templated.get(`${route.method} ${segments.length}`)?.some((c) => c.key === key)) {
      throw new Error(`route defined twice: ${key}`);
    }
    if (names.length === 0) {
      this.exact.set(key, compiled);
      return;
    }
    const bucket = `${route.method satisfies HttpMethod} ${segments.length}`;
    const list = this.templated.get(bucket) ?? [];
    list.push(compiled);
    this.templated.set(bucket, list);
  }
}

function specificity(c: Compiled): string {
  return c.segments.map((s) => (s === null ? "0" : "1")).join("");
}

function bind(c: Compiled, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let n = 0;
  for (let i = 0; i < parts.length; i++) {
    const literal = c.segments[i];
    const part = parts[i] ?? "";
    if (literal === null) {
      if (part === "") return undefined;
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return undefined;
      }
      params[c.names[n++] ?? ""] = value;
    } else if (literal !== part) {
      return undefined;
    }
  }
  return params;
}
