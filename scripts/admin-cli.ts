// The operator's shell commands; see scripts/admin.mjs and README "Operator".
//
//   grant <email>       make the account an admin
//   revoke <email>      take admin away (never from the last active admin)
//   reset-link <email>  print a one-time password-reset link (valid 1 hour)
//   invite              print a single-use sign-up link (works even with REGISTRATION=closed)
//
// PostgreSQL (DATABASE_URL): runs here, against the database. Embedded: the running server owns
// the data directory, so the command goes to it over <data dir>/control/admin.sock (0600, in a
// 0700 directory: only the server's own OS account can use it). With no server running the
// command opens the data directory itself, under the same lock the server takes.
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { createDbClient } from "@/lib/db";
import { env } from "@/lib/env";
import { type CommandResult, runAdminCommand } from "@/lib/operator/commands";
import { controlSocketPath } from "@/lib/operator/control-socket";

const USAGE = "usage: npm run admin -- grant <email> | revoke <email> | reset-link <email> | invite";

function request(argv: string[]): unknown {
  const [cmd, email, ...rest] = argv;
  if (!cmd || rest.length > 0) return null;
  if (cmd === "invite") return email === undefined ? { cmd } : null;
  return email ? { cmd, email } : null;
}

function viaSocket(file: string, body: unknown): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const sock = connect(file);
    let buf = "";
    sock.setEncoding("utf8");
    sock.on("connect", () => sock.write(`${JSON.stringify(body)}\n`));
    sock.on("data", (d: string) => {
      buf += d;
    });
    sock.on("error", reject);
    sock.on("close", () => {
      try {
        resolve(JSON.parse(buf.trim()) as CommandResult);
      } catch {
        reject(new Error("The server closed the control socket without an answer."));
      }
    });
  });
}

async function direct(body: unknown, options: Parameters<typeof createDbClient>[0]): Promise<CommandResult> {
  const handle = createDbClient(options);
  try {
    return await runAdminCommand(body, { db: handle.prisma });
  } finally {
    await handle.close();
  }
}

async function main(): Promise<number> {
  const body = request(process.argv.slice(2));
  if (!body) {
    console.error(USAGE);
    return 2;
  }
  const e = env();
  let result: CommandResult;
  if (e.DATABASE_URL) {
    result = await direct(body, { databaseUrl: e.DATABASE_URL });
  } else {
    const file = controlSocketPath(e.dataDir);
    result = existsSync(file)
      ? await viaSocket(file, body).catch(async (err: NodeJS.ErrnoException) => {
          // A socket file left by a server that is gone: nobody listens, so open the directory here.
          if (err.code !== "ECONNREFUSED") throw err;
          return direct(body, { dataDir: e.dataDir, purpose: "npm run admin" });
        })
      : await direct(body, { dataDir: e.dataDir, purpose: "npm run admin" });
  }
  if (result.ok) {
    console.log(result.message);
    return 0;
  }
  console.error(result.error);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
