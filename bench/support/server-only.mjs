// Benchmarks call server modules directly (as the server does): "server-only" resolves to nothing here,
// as it does under the react-server condition, without loading the rest of React's server build.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
      if (specifier === "server-only") return { url: "data:text/javascript,export {}", shortCircuit: true };
      return next(specifier, context);
    }`),
);
