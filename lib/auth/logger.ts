import type { NextAuthConfig } from "next-auth";
import { errorType, log } from "@/lib/log";

// next-auth's logger, routed through the redacting logger. An auth error's message can quote
// what the client sent (a crafted sign-in body once forged a log line and left part of a password
// in the log), so only its type and name are written. Edge-safe: lib/log uses console only.

export const authLogger = {
  error(error) {
    const { type, name } = errorType(error);
    // A failed password is routine, not a server error worth a stack trace in the logs.
    if (type === "CredentialsSignin") return;
    log.error("auth.error", { type: type ?? name, name });
  },
  warn(code) {
    log.warn("auth.warning", { code });
  },
  debug() {},
} satisfies NextAuthConfig["logger"];
