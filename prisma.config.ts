import { defineConfig } from "prisma/config";

// The native CLI is optional here: migrations run through scripts/db.ts (WebAssembly engine).
// This file lets `prisma generate` find the schema; DATABASE_URL is only needed for the native CLI.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
