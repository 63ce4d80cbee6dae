import { db } from "@/lib/db";
import type { PrismaClient } from "@/lib/db/generated/client";
import { env } from "@/lib/env";

// What lib/account needs from outside: the database, the SMTP server (none: email changes apply
// at once) and the app's public origin (for the confirmation link). Every function takes it as its
// optional last argument; tests pass their own database and SMTP sink.

export type AccountDeps = {
  db: PrismaClient;
  smtpUrl: string | undefined;
  /** Sender of the confirmation mail. */
  mailFrom: string;
  appOrigin: string;
};

export function accountDeps(): AccountDeps {
  const e = env();
  return {
    db: db(),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? `BYOK Chat <no-reply@${new URL(e.appOrigin).hostname}>`,
    appOrigin: e.appOrigin,
  };
}
