import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", "lib/generated/**", "node_modules/**", "test-results/**", ".data/**", "next-env.d.ts"] },
  {
    // Configuration is read in exactly one place, where it is validated (lib/config/env.ts).
    files: ["app/**", "components/**", "lib/**"],
    ignores: ["lib/config/**", "lib/db/migrations.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through lib/config/env.ts" }],
    },
  },
];

export default config;
