// Resolve hook for bench/steps.ts: lib modules that hold keys import "server-only", which throws
// outside a React server build; here it resolves to the package's no-op file (as in vitest).
const empty = new URL("../../node_modules/server-only/empty.js", import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: empty, shortCircuit: true, format: "commonjs" };
  return next(specifier, context);
}
