import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

/**
 * Prisma's schema engine compiled to WebAssembly, driven through a driver adapter.
 * The native engine binary cannot be downloaded on offline machines; this needs nothing but npm.
 * We instantiate the .wasm ourselves so Node needs no --experimental-wasm-modules flag.
 */
type Engine = import("@prisma/schema-engine-wasm").SchemaEngine;

let engineModule: Promise<typeof import("@prisma/schema-engine-wasm/schema_engine_bg")> | undefined;

async function loadEngineModule() {
  engineModule ??= (async () => {
    const bg = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    // The package exports no ./package.json; resolve the engine's JS entry and read the .wasm beside it.
    const require = createRequire(path.join(process.cwd(), "package.json"));
    const pkgDir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
    const bytes = readFileSync(path.join(pkgDir, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports });
    (bg as unknown as { __wbg_set_wasm(w: unknown): void }).__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bg;
  })();
  return engineModule;
}

export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schemaPath: string,
  log: (message: string) => void = () => {},
): Promise<Engine> {
  const bg = await loadEngineModule();
  const schemaText = readFileSync(schemaPath, "utf8");
  return (bg.SchemaEngine as unknown as typeof import("@prisma/schema-engine-wasm").SchemaEngine).new(
    { datamodels: [[schemaPath, schemaText]] },
    (msg: string) => log(msg),
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}
