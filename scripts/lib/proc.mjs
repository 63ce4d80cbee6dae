// Hand this process over to a child it started: forward the signals that stop a server and exit
// with the child's code (128 + signal number when a signal ended it).
import { constants } from "node:os";

/** @param {import("node:child_process").ChildProcess} child */
export function handOver(child) {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) =>
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)),
  );
}
