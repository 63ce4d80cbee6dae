import { config } from "zod/v4/core";

// Runs before the app's client code. Zod compiles object parsers with `new Function` when eval
// is allowed, and finds out by trying it: under the page CSP (no 'unsafe-eval') that probe is
// refused and reported as a securitypolicyviolation even though Zod falls back quietly. Jitless
// mode skips the probe. It must be set before any schema is built, hence here.
config({ jitless: true });
