import { ARMS, type ArmName } from "./arms";

// Command-line flags of `npm run bench -- …`. Defaults keep a run under ~5 minutes on 2 cores.

export type BenchArgs = {
  ttftMs: number;
  tokenDelayMs: number;
  tokens: number;
  concurrency: number[];
  c1Rounds: number;
  rounds: number;
  perClient: number;
  abortTrials: number;
  memoryLevels: number[];
  soakMinutes: number;
  soakConcurrency: number;
  arms: ArmName[];
  build: boolean;
  pages: boolean;
  profile: boolean;
  profileRequests: number;
  databaseUrl?: string;
  /** Serve through scripts/server.mjs with WEB_CONCURRENCY = each of these, one after another. */
  workers?: number[];
  redisUrl: string;
  appPort: number;
  mockPort: number;
  out: string;
};

export const USAGE = `npm run bench -- [flags]
  --ttft-ms 50            mock time to first token
  --token-delay-ms 20     mock delay between tokens
  --tokens 64             token frames per reply
  --concurrency 1,50,200  concurrency points (a point whose direct arm degrades >2x is dropped)
  --c1-rounds 30          streams per arm at concurrency 1
  --rounds 2              blocks per arm at higher concurrency (half of it above c=100)
  --per-client 3          streams each client runs back to back in a block (first is ramp-up)
  --abort-trials 15       client-abort trials per arm
  --memory-levels 50,100,200  open-stream counts for RSS per stream (the largest = streams sustained)
  --soak-minutes 0        then run the app arm at --soak-concurrency for this long
  --soak-concurrency 50
  --arms direct,pipe,floor,canonical,app
                          direct: client → mock; pipe: a bare node:http pipe; floor: a Next.js
                          route handler that only pipes (POST /api/bench/floor); canonical: the
                          AI SDK docs' chat route with our session/key/writes; app: POST /api/chat
  --no-build              use the existing .next build as is
  --no-pages              skip the page-weight measurement
  --profile               CPU-profile the server during --profile-requests app turns at c=1
  --profile-requests 200
  --database-url URL      run the app on PostgreSQL (a temporary database on that server,
                          e.g. postgres://postgres@127.0.0.1:5432/postgres) instead of PGlite
  --workers 1,2           serve through scripts/server.mjs (the production entry) with
                          WEB_CONCURRENCY=N, for each N in turn (one number N means 1,N;
                          needs --database-url; the
                          latency points run for each N; memory, abort, soak, profile and page
                          weight are not run in this mode)
  --redis-url redis://127.0.0.1:6379/5   the workers' shared rate limits (with --workers; a
                          database index of its own keeps the bench's keys apart)
  --app-port 3500         port of the app server (127.0.0.1)
  --mock-port 4500        port of the mock upstream (127.0.0.1)
  --out bench/results`;

const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function parseArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = {
    ttftMs: 50,
    tokenDelayMs: 20,
    tokens: 64,
    concurrency: [1, 50, 200],
    c1Rounds: 30,
    rounds: 2,
    perClient: 3,
    abortTrials: 15,
    memoryLevels: [50, 100, 200],
    soakMinutes: 0,
    soakConcurrency: 50,
    arms: [...ARMS],
    build: true,
    pages: true,
    profile: false,
    profileRequests: 200,
    redisUrl: "redis://127.0.0.1:6379/5",
    appPort: 3500,
    mockPort: 4500,
    out: "bench/results",
  };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0)
      throw new Error(`${flag} needs a number\n\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const v = argv[i + 1];
    const take = () => {
      i++;
      return v as string;
    };
    switch (flag) {
      case "--ttft-ms":
        a.ttftMs = num(flag, take());
        break;
      case "--token-delay-ms":
        a.tokenDelayMs = num(flag, take());
        break;
      case "--tokens":
        a.tokens = Math.max(2, num(flag, take()));
        break;
      case "--concurrency":
        a.concurrency = list(take()).map((s) => Math.max(1, num(flag, s)));
        break;
      case "--c1-rounds":
        a.c1Rounds = Math.max(1, num(flag, take()));
        break;
      case "--rounds":
        a.rounds = Math.max(1, num(flag, take()));
        break;
      case "--per-client":
        a.perClient = Math.max(1, num(flag, take()));
        break;
      case "--abort-trials":
        a.abortTrials = num(flag, take());
        break;
      case "--memory-levels":
        a.memoryLevels = list(take()).map((s) => Math.max(1, num(flag, s)));
        break;
      case "--soak-minutes":
        a.soakMinutes = num(flag, take());
        break;
      case "--soak-concurrency":
        a.soakConcurrency = Math.max(1, num(flag, take()));
        break;
      case "--arms": {
        const arms = list(take());
        if (!arms.every((x) => (ARMS as readonly string[]).includes(x)) || !arms.includes("direct")) {
          throw new Error(
            `--arms takes ${ARMS.join(",")} and must include direct (the baseline)\n\n${USAGE}`,
          );
        }
        a.arms = arms as ArmName[];
        break;
      }
      case "--no-build":
        a.build = false;
        break;
      case "--no-pages":
        a.pages = false;
        break;
      case "--profile":
        a.profile = true;
        break;
      case "--profile-requests":
        a.profileRequests = Math.max(1, num(flag, take()));
        break;
      case "--database-url":
        a.databaseUrl = take();
        break;
      case "--workers": {
        const counts = list(take()).map((s) => Math.max(1, Math.round(num(flag, s))));
        // One number N compares against one worker: 1 and N. A list is taken as it is.
        a.workers = counts.length === 1 ? [...new Set([1, ...counts])] : counts;
        break;
      }
      case "--redis-url":
        a.redisUrl = take();
        break;
      case "--app-port":
        a.appPort = num(flag, take());
        break;
      case "--mock-port":
        a.mockPort = num(flag, take());
        break;
      case "--out":
        a.out = take();
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${flag}\n\n${USAGE}`);
    }
  }
  if (a.workers && !a.databaseUrl) {
    throw new Error(`--workers needs --database-url: the embedded database lives in one process\n\n${USAGE}`);
  }
  return a;
}
