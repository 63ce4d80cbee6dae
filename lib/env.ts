import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

// The whole environment, validated in one place. A missing or malformed variable stops
// start-up with a message that names it.

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");
/** Like `bool`, with a default when unset or empty. */
const flag = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? def : v === "true" || v === "1"));
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const positiveInt = (def: number) =>
  z.preprocess((v) => (v === "" || v === undefined ? def : Number(v)), z.number().int().positive());

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
      .optional(),
  ),
  BYOK_DATA_DIR: z.string().default(".data"),
  BYOK_MASTER_KEYS: optionalString,
  BYOK_ACTIVE_KEY_ID: optionalString,
  AUTH_SECRET: optionalString,
  AUTH_URL: optionalUrl,
  PORT: positiveInt(3000),
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
  /** A GitHub Enterprise Server (https://github.example.com) instead of github.com. */
  AUTH_GITHUB_ENTERPRISE_URL: optionalUrl,
  AUTH_GOOGLE_ID: optionalString,
  AUTH_GOOGLE_SECRET: optionalString,
  OPENAI_API_KEY: optionalString,
  GROQ_API_KEY: optionalString,
  GOOGLE_GENERATIVE_AI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  GROQ_BASE_URL: optionalUrl,
  GOOGLE_GENERATIVE_AI_BASE_URL: optionalUrl,
  ALLOW_PRIVATE_BASE_URLS: bool,
  REDIS_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
      .optional(),
  ),
  /** smtp://user:pass@host:port or smtps://…: email changes are confirmed by a mailed link. */
  SMTP_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
      .optional(),
  ),
  /** The From address of the mails the app sends (default: no-reply@ the app's host). */
  MAIL_FROM: optionalString,
  CHAT_MAX_MESSAGE_CHARS: positiveInt(4000),
  /** After the first answer of a chat, ask the same model for a short title (a few tokens). */
  CHAT_MODEL_TITLES: flag(true),
  RATE_LIMIT_CHAT_PER_MINUTE: positiveInt(30),
  RATE_LIMIT_SYSTEM_KEY_PER_MINUTE: positiveInt(10),
  /** Requests per minute one personal API token may send to /v1 (on top of the user's chat limit). */
  RATE_LIMIT_API_TOKEN_PER_MINUTE: positiveInt(60),
  RATE_LIMIT_SIGNIN_PER_15_MIN: positiveInt(10),
  RATE_LIMIT_SIGNUP_PER_15_MIN: positiveInt(50),
  /** A session ends after this many days without an authenticated request (lib/auth/sessions.ts). */
  SESSION_IDLE_DAYS: positiveInt(7),
  /** …and this many days after sign-in, however active. */
  SESSION_MAX_DAYS: positiveInt(30),
  // Read by the server entry (scripts/server.mjs, which checks them again before it starts).
  /** Address to bind; unset: every interface. */
  HOSTNAME: optionalString,
  /** Worker processes on one port: a number or "auto" (one per core). More than 1 needs DATABASE_URL. */
  WEB_CONCURRENCY: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.union([z.literal("auto"), z.coerce.number().int().min(1).max(64)]).optional(),
  ),
  /** Reverse proxies in front of the server: decides which X-Forwarded-For entry is the client. */
  TRUSTED_PROXY_HOPS: z.preprocess(
    (v) => (v === "" || v === undefined ? 0 : Number(v)),
    z.number().int().min(0).max(16),
  ),
  /** On SIGTERM, how long open streams may finish before they are stopped and stored. */
  SHUTDOWN_GRACE_MS: z.preprocess(
    (v) => (v === "" || v === undefined ? 10_000 : Number(v)),
    z.number().int().min(0).max(600_000),
  ),
  /** Accept WEB_CONCURRENCY > 1 without REDIS_URL (every rate limit then counts per worker). */
  ALLOW_PER_WORKER_LIMITS: bool,
  /** Who may create an account until an admin saves a mode in /admin (lib/operator/settings.ts). */
  REGISTRATION: z.preprocess(
    (v) => (v === "" || v === undefined ? "open" : String(v).trim().toLowerCase()),
    z.enum(["open", "invite", "closed"]),
  ),
});

export type Env = z.infer<typeof schema> & {
  /** True when no DATABASE_URL is set: PGlite in BYOK_DATA_DIR. */
  embedded: boolean;
  dataDir: string;
  /** The app's public origin: AUTH_URL's, else http://localhost:$PORT (what `npm start` serves). */
  appOrigin: string;
};

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const dataDir = path.resolve(result.data.BYOK_DATA_DIR);
  const appOrigin = result.data.AUTH_URL
    ? new URL(result.data.AUTH_URL).origin
    : `http://localhost:${result.data.PORT}`;
  return { ...result.data, embedded: !result.data.DATABASE_URL, dataDir, appOrigin };
}

const g = globalThis as unknown as { __byokEnv?: Env };

/** The validated environment, parsed once per process (shared across Next bundles). */
export function env(): Env {
  g.__byokEnv ??= parseEnv(process.env);
  return g.__byokEnv;
}

/** Reads a secret that `npm start` (scripts/lib/setup.mjs) generated into the data directory (embedded mode). */
export function readDataSecret(name: string): string | undefined {
  const file = path.join(env().dataDir, name);
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}
