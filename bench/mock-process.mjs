#!/usr/bin/env node
// The mock upstream in its own process, so its work does not share an event loop with the
// client that timestamps frames. Prints "READY <url>" once listening; stops on SIGTERM/SIGINT.
// Usage: node bench/mock-process.mjs --port 4500 --ttft-ms 50 --token-delay-ms 20 --tokens 64

import { startMockUpstream } from "../e2e/mock-upstream/server.mjs";

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

const mock = await startMockUpstream({
  host: "127.0.0.1",
  port: arg("port", 4500),
  ttftMs: arg("ttft-ms", 50),
  tokenDelayMs: arg("token-delay-ms", 20),
  tokens: arg("tokens", 64),
  // Keys containing "slow" get this TTFT and gap: long-lived streams for the memory phase.
  slowTokenDelayMs: arg("slow-token-delay-ms", 250),
});
console.log(`READY ${mock.url}`);
const stop = () => mock.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
