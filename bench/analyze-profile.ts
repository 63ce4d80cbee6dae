// Re-reads the recordings of `npm run bench -- --profile` and prints where the chat path spends
// its time and memory. Usage: npx tsx bench/analyze-profile.ts [bench/results/probe]
import path from "node:path";
import { root } from "../scripts/lib/setup.mjs";
import { printProbe } from "./lib/profile-print";

printProbe(path.resolve(process.argv[2] ?? path.join(root, "bench/results/probe")), root);
