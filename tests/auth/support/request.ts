import { CLIENT_CHAIN_HEADER, CLIENT_CHAIN_HOOK } from "@/lib/audit/context";

/**
 * The one thing tests fake: the incoming request's cookies and headers (what next/headers exposes), plus
 * a record of cookies the code sets. The session itself is always a real Session row in the database.
 */
export interface SetCookie {
  name: string;
  value: string;
  options: Record<string, unknown>;
}

// What the server hook (lib/audit/socket-peer.ts) does on every real request: record the client chain.
(globalThis as Record<symbol, unknown>)[CLIENT_CHAIN_HOOK] = true;

export const request = {
  cookies: new Map<string, string>(),
  headers: new Headers(),
  setCookies: [] as SetCookie[],
  reset() {
    this.cookies.clear();
    // A browser connecting directly (TRUSTED_PROXY_HOPS=0): the socket's peer is the client.
    this.headers = new Headers({ "x-request-id": "test-request", [CLIENT_CHAIN_HEADER]: "203.0.113.7" });
    this.setCookies = [];
  },
};
request.reset();

function cookieStore() {
  return {
    get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name)! } : undefined),
    getAll: () => [...request.cookies].map(([name, value]) => ({ name, value })),
    has: (name: string) => request.cookies.has(name),
    set: (name: string | { name: string; value: string }, value?: string, options: Record<string, unknown> = {}) => {
      const c: SetCookie = typeof name === "string" ? { name, value: value ?? "", options } : { name: name.name, value: name.value, options: { ...name } };
      request.setCookies.push(c);
      if (c.value === "" || c.options.maxAge === 0) request.cookies.delete(c.name);
      else request.cookies.set(c.name, c.value);
    },
    delete: (name: string | { name: string }) => {
      const n = typeof name === "string" ? name : name.name;
      request.setCookies.push({ name: n, value: "", options: { maxAge: 0 } });
      request.cookies.delete(n);
    },
  };
}

/** Factory for vi.mock("next/headers", …). */
export const nextHeadersMock = () => ({
  cookies: async () => cookieStore(),
  headers: async () => request.headers,
});

/** What next/navigation's redirect() throws in tests. */
export class RedirectError extends Error {
  constructor(public readonly url: string) {
    super(`NEXT_REDIRECT ${url}`);
    this.name = "RedirectError";
  }
}

/** Factory for vi.mock("next/navigation", …). */
export const nextNavigationMock = () => ({
  redirect: (url: string) => {
    throw new RedirectError(url);
  },
  unstable_rethrow: (error: unknown) => {
    if (error instanceof RedirectError) throw error;
  },
});

/** Factory for vi.mock("next/cache", …): revalidation needs Next's request store, which tests lack. */
export const revalidated: string[] = [];
export const nextCacheMock = () => ({
  revalidatePath: (path: string) => {
    revalidated.push(path);
  },
  revalidateTag: (tag: string) => {
    revalidated.push(`tag:${tag}`);
  },
});
