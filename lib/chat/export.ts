import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { allMessages, type MessageRow, pathTo } from "./branch";
import type { Db } from "./persist";

// "Export this chat": one chat as a Markdown document (to read or paste elsewhere) or as JSON
// (to process), each answer with the model, which key paid for it and its token usage. Owner
// filter in every WHERE clause: someone else's chat is indistinguishable from a missing one.

export const CHAT_EXPORT_FORMATS = ["md", "json"] as const;
export type ChatExportFormat = (typeof CHAT_EXPORT_FORMATS)[number];
export const chatExportQuerySchema = z.strictObject({
  format: z.enum(CHAT_EXPORT_FORMATS, "Format must be md or json.").default("md"),
});

/** Far more than a chat holds in practice; the export is one document, read in one query. */
const MAX_EXPORTED_MESSAGES = 100_000;

export const CHAT_EXPORT_KIND = "byok-chat-conversation";
export const CHAT_EXPORT_VERSION = 1;

export type ExportedMessage = {
  id: string;
  role: "user" | "assistant";
  text: string;
  createdAt: string;
  /** Answers only: how the answer ended, what produced it and what it cost. */
  status?: string;
  errorCode?: string;
  provider?: string;
  model?: string;
  keySource?: string;
  /** Which of the user's keys answered (its name or …last4), when several are stored. */
  keyLabel?: string;
  usage?: { inputTokens: number; outputTokens: number };
  /** The message this one follows (an answer: its user message; null: the chat's first). */
  parentId: string | null;
  /** All versions of this message (it among them), oldest first, when there is more than one. */
  versions?: string[];
};

export type ChatExport = {
  kind: typeof CHAT_EXPORT_KIND;
  version: typeof CHAT_EXPORT_VERSION;
  exportedAt: string;
  chat: { id: string; title: string; provider: string | null; model: string | null; createdAt: string };
  /** The chat as it reads: the path to its latest message. */
  messages: ExportedMessage[];
  /**
   * Every message not on that path, oldest first: earlier versions of an answer (regenerate) or
   * of a user message (edit), with the turns that followed them. parentId rebuilds the tree.
   */
  previousVersions: ExportedMessage[];
};

export type ExportFile = { filename: string; contentType: string; body: string };

/** The chat and its messages, oldest first; NOT_FOUND when the user has no chat of that id. */
export async function loadChatExport(
  userId: string,
  chatId: string,
  now = new Date(),
  client: Db = db(),
): Promise<ChatExport> {
  const chat = await client.chat.findFirst({
    where: { id: chatId, userId },
    select: { id: true, title: true, provider: true, model: true, createdAt: true },
  });
  if (!chat) throw new AppError("NOT_FOUND", "Chat not found.");
  // The chat as it reads (lib/chat/branch.ts): the path to its latest message; then the rest.
  const [path, all] = await Promise.all([
    pathTo(client, userId, chatId, { limit: MAX_EXPORTED_MESSAGES }),
    allMessages(client, userId, chatId, MAX_EXPORTED_MESSAGES),
  ]);
  const shown = new Set(path.map((m) => m.id));
  const messages = path.reverse().map(exported);
  const previousVersions = all.filter((m) => !shown.has(m.id)).map(exported);
  return {
    kind: CHAT_EXPORT_KIND,
    version: CHAT_EXPORT_VERSION,
    exportedAt: now.toISOString(),
    chat: { ...chat, createdAt: chat.createdAt.toISOString() },
    messages,
    previousVersions,
  };
}

function exported(m: MessageRow): ExportedMessage {
  const versions = m.versions?.split(" ") ?? [];
  const base = {
    id: m.id,
    text: m.content,
    createdAt: m.createdAt.toISOString(),
    parentId: m.replyToId,
    ...(versions.length > 1 ? { versions } : {}),
  };
  if (m.role !== "assistant") return { ...base, role: "user" };
  return {
    ...base,
    role: "assistant",
    // A STREAMING row whose writer died reads as what it became: ABORTED (as in the chat).
    status: m.status === "STREAMING" && m.stale ? "ABORTED" : m.status,
    ...(m.errorCode ? { errorCode: m.errorCode } : {}),
    ...(m.provider ? { provider: m.provider } : {}),
    ...(m.model ? { model: m.model } : {}),
    ...(m.keySource ? { keySource: m.keySource } : {}),
    ...(m.keyLabel ? { keyLabel: m.keyLabel } : {}),
    ...(m.inputTokens !== null || m.outputTokens !== null
      ? { usage: { inputTokens: m.inputTokens ?? 0, outputTokens: m.outputTokens ?? 0 } }
      : {}),
  };
}

const KEY_SOURCE_LABEL: Record<string, string> = { personal: "personal key", system: "system key" };

/** The answer's details line: model, key, tokens, and how it ended when not complete. */
function answerDetails(m: ExportedMessage): string {
  const parts = [
    m.model ? `${m.provider ? `${m.provider} · ` : ""}${m.model}` : undefined,
    m.keySource
      ? `${KEY_SOURCE_LABEL[m.keySource] ?? `${m.keySource} key`}${m.keyLabel ? ` ${m.keyLabel}` : ""}`
      : undefined,
    m.usage ? `${m.usage.inputTokens} in · ${m.usage.outputTokens} out tokens` : undefined,
    m.status && m.status !== "COMPLETE"
      ? `${m.status.toLowerCase()}${m.errorCode ? ` (${m.errorCode})` : ""}`
      : undefined,
  ].filter(Boolean);
  return parts.length ? `_${parts.join(" · ")}_` : "";
}

/** A Markdown transcript: a heading per turn, the answer's Markdown as it was written. */
export function chatToMarkdown(doc: ChatExport): string {
  const out = [`# ${doc.chat.title}`, "", `_Exported ${doc.exportedAt} from BYOK Chat._`, ""];
  const version = (m: ExportedMessage) =>
    m.versions ? ` (version ${m.versions.indexOf(m.id) + 1} of ${m.versions.length})` : "";
  for (const m of doc.messages) {
    out.push(`${m.role === "user" ? "## You" : "## Assistant"}${version(m)}`, "");
    pushBody(out, m);
  }
  if (doc.previousVersions.length > 0) {
    // Quoted by their first words, so each can be placed after the message it followed.
    const byId = new Map([...doc.messages, ...doc.previousVersions].map((m) => [m.id, m]));
    out.push(
      "---",
      "",
      "# Previous versions",
      "",
      "_Not part of the conversation above: earlier answers (regenerated) and earlier messages (edited), with the turns that followed them, oldest first._",
      "",
    );
    for (const m of doc.previousVersions) {
      out.push(`## ${m.role === "user" ? "You" : "Assistant"} · previous version${version(m)}`, "");
      const parent = m.parentId ? byId.get(m.parentId) : undefined;
      if (parent) out.push(`_In reply to: “${quote(parent.text)}”_`, "");
      else if (m.role === "user") out.push("_The chat's first message._", "");
      pushBody(out, m);
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function pushBody(out: string[], m: ExportedMessage) {
  if (m.role === "assistant") {
    const details = answerDetails(m);
    if (details) out.push(details, "");
  }
  out.push(m.text.trim() || "_(no text)_", "");
}

const quote = (t: string) => {
  const one = t.replace(/\s+/g, " ").trim();
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
};

/** A file name from the title: letters, digits and dashes only, so no header can be broken. */
export function exportFilename(doc: ChatExport, format: ChatExportFormat): string {
  const slug =
    doc.chat.title
      .normalize("NFKD")
      .replace(/[^\w\s-]/g, "")
      .trim()
      .replace(/[\s_]+/g, "-")
      .replace(/-+/g, "-")
      .toLowerCase()
      .slice(0, 60)
      .replace(/-$/, "") || "chat";
  return `${slug}-${doc.exportedAt.slice(0, 10)}.${format}`;
}

/** The download for one chat in the chosen format. */
export async function exportChat(
  userId: string,
  chatId: string,
  format: ChatExportFormat,
  deps: { now?: Date; client?: Db } = {},
): Promise<ExportFile> {
  const doc = await loadChatExport(userId, chatId, deps.now ?? new Date(), deps.client ?? db());
  return format === "json"
    ? {
        filename: exportFilename(doc, "json"),
        contentType: "application/json; charset=utf-8",
        body: `${JSON.stringify(doc, null, 2)}\n`,
      }
    : {
        filename: exportFilename(doc, "md"),
        contentType: "text/markdown; charset=utf-8",
        body: chatToMarkdown(doc),
      };
}
