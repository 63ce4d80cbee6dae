#!/usr/bin/env node
// `npm run build`: the production build, made once (e.g. on a build host) and served by any number
// of `npm run serve` instances that have only the runtime dependencies (`npm ci --omit=dev`).
// Same setup as `npm start` (Node 24, dependencies, Prisma client), then always builds and
// records the sources' hash so `npm start` in this folder, or a copy of it, does not rebuild.
import { runOnNode24 } from "./lib/node24.mjs";
import { build, ensureDependencies, ensurePrismaClient } from "./lib/setup.mjs";

await runOnNode24();
process.env.NEXT_TELEMETRY_DISABLED = "1";
ensureDependencies();
ensurePrismaClient();
build();
