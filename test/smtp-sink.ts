import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

// A local SMTP server that keeps every message it receives: what the app's mail (SMTP_URL) is
// pointed at in tests, on a loopback port. Never an outside host.

export type SunkMail = { to: string[]; body: string };

export type SmtpSink = {
  url: string;
  inbox: SunkMail[];
  /** The first message to `to` after index `from` whose decoded body matches `pattern` (bounded wait). */
  waitFor(to: string, pattern: RegExp, from?: number): Promise<{ body: string; match: RegExpExecArray }>;
  close(): Promise<void>;
};

/** The raw message as the sink got it: undo quoted-printable (soft line breaks, =XX escapes). */
export function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const inbox: SunkMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          body: decodeQuotedPrintable(Buffer.concat(chunks).toString("utf8")),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return {
    url,
    inbox,
    async waitFor(to, pattern, from = 0) {
      // Bounded: 200 × 50 ms. Mail goes out in the background of the request that caused it.
      for (let i = 0; i < 200; i++) {
        for (const m of inbox.slice(from)) {
          const match = m.to.includes(to.toLowerCase()) ? pattern.exec(m.body) : null;
          if (match) return { body: m.body, match };
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no mail to ${to} matching ${pattern} (inbox: ${inbox.length} messages)`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
