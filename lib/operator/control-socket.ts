import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { log } from "@/lib/log";
import { runAdminCommand } from "./commands";

// Embedded mode only: the server holds the PGlite data directory (nobody else may open it), so
// `npm run admin` asks the running server over a unix socket in that directory. Who may use it
// is decided by the filesystem: the socket sits in a 0700 directory and is itself 0600, so only
// the account that runs the server (and root) can connect. It is never bound to TCP.
// Protocol: one JSON line in ({"cmd":"grant","email":"…"}), one JSON line out, then close.

export const CONTROL_DIR = "control";
export const CONTROL_SOCKET = "admin.sock";
const MAX_LINE = 4096;

export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, CONTROL_DIR, CONTROL_SOCKET);
}

const g = globalThis as unknown as { __byokControl?: Server };

export async function startControlSocket(dataDir: string): Promise<string> {
  const dir = path.join(dataDir, CONTROL_DIR);
  const file = controlSocketPath(dataDir);
  if (g.__byokControl) return file;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  // A stale socket from a server that died: the data-directory lock proves no server owns it now.
  rmSync(file, { force: true });
  const server = createServer((conn) => {
    let buf = "";
    conn.setEncoding("utf8");
    conn.setTimeout(30_000, () => conn.destroy());
    conn.on("error", () => {});
    conn.on("data", (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl < 0 && buf.length <= MAX_LINE) return;
      conn.pause();
      const line = nl < 0 ? "" : buf.slice(0, nl);
      void answer(line).then((out) => conn.end(`${JSON.stringify(out)}\n`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(file, () => resolve());
  });
  chmodSync(file, 0o600);
  server.unref();
  g.__byokControl = server;
  log.info("operator.control_socket", { path: file });
  return file;
}

async function answer(line: string) {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return { ok: false, error: "Send one JSON object on one line." };
  }
  try {
    const result = await runAdminCommand(request);
    log.info("operator.command", { cmd: (request as { cmd?: unknown })?.cmd ?? null, ok: result.ok });
    return result;
  } catch (e) {
    log.error("operator.command_failed", { error: e });
    return { ok: false, error: "The server could not run the command; see its log." };
  }
}

export function stopControlSocket(): void {
  g.__byokControl?.close();
  g.__byokControl = undefined;
}
