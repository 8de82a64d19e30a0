// Stand-in for "server-only" in Vitest (tests run server code directly).
export {};
