import { z } from "zod";
import { isAppError } from "@/lib/errors";
import { text } from "@/lib/text";
import { createInvite, createResetLink, setAdmin } from "./admin";
import { type OperatorDeps, operatorDeps } from "./deps";

// The shell's commands (`npm run admin -- <command> [email]`), run directly against PostgreSQL
// or, in embedded mode, by the running server for the control socket (control-socket.ts).
// One JSON object in, one out: { ok: true, message } or { ok: false, error }.

export const commandSchema = z.discriminatedUnion("cmd", [
  z.object({ cmd: z.literal("grant"), email: text().min(3).max(254) }).strict(),
  z.object({ cmd: z.literal("revoke"), email: text().min(3).max(254) }).strict(),
  z.object({ cmd: z.literal("reset-link"), email: text().min(3).max(254) }).strict(),
  z.object({ cmd: z.literal("invite") }).strict(),
]);
export type AdminCommand = z.infer<typeof commandSchema>;
export type CommandResult = { ok: true; message: string } | { ok: false; error: string };

export async function runAdminCommand(
  raw: unknown,
  deps: OperatorDeps = operatorDeps(),
): Promise<CommandResult> {
  const parsed = commandSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: "Unknown command or missing email." };
  const c = parsed.data;
  const shell = { kind: "shell" } as const;
  try {
    switch (c.cmd) {
      case "grant":
      case "revoke": {
        const r = await setAdmin(shell, { email: c.email }, c.cmd === "grant", deps);
        return { ok: true, message: `${r.email} is ${r.isAdmin ? "now an admin" : "no longer an admin"}.` };
      }
      case "reset-link": {
        const r = await createResetLink(shell, { email: c.email }, deps);
        return {
          ok: true,
          message: `One-time password reset link for ${r.email} (valid until ${r.expiresAt.toISOString()}):\n${r.url}`,
        };
      }
      case "invite": {
        const r = await createInvite(shell, deps);
        return {
          ok: true,
          message: `Single-use sign-up link (valid until ${r.expiresAt.toISOString()}; works in every registration mode):\n${r.url}`,
        };
      }
    }
  } catch (e) {
    if (isAppError(e)) return { ok: false, error: e.message };
    throw e;
  }
}
