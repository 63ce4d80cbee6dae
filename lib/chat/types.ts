import type { UIMessage } from "ai";
import type { KeySource } from "@/lib/keys/policy";
import type { AnswerParams } from "./params";

// Shapes shared by the server and the browser: no server-only imports here (type imports only).

export type AssistantStatus = "COMPLETE" | "ABORTED" | "ERROR";
/** What history shows: an answer may still be STREAMING (in another tab or request). */
export type MessageStatusView = AssistantStatus | "STREAMING";

/** Metadata of an assistant message: sent on `start`/`finish` chunks and rebuilt from the DB. */
export type ChatMessageMetadata = {
  provider?: string;
  model?: string;
  keySource?: KeySource;
  /** Which of the user's keys answered ("Work …x9Qa"), when the provider has several. */
  keyLabel?: string;
  /** OpenAI-compatible: the id of the key that answered (its endpoint: the picker's selection). */
  keyId?: string;
  /** reasoningTokens: of outputTokens, the ones spent thinking (when the provider says). */
  usage?: { inputTokens: number; outputTokens: number; reasoningTokens?: number };
  /** What the answer was asked with: system prompt used, temperature, max output. */
  params?: AnswerParams;
  status?: MessageStatusView;
  errorCode?: string;
  createdAt?: string;
  /**
   * The ids of every version of this message, oldest first, when there is more than one (this
   * one among them): the answers to the same user message (regenerate), or the user messages
   * following the same answer (edit and resend), each with its own branch below. For ‹ 2/3 ›.
   */
  versions?: string[];
};

export type ChatUIMessage = UIMessage<ChatMessageMetadata>;

/** The JSON body of an error response, and the text of an in-stream error part. */
export type ChatErrorPayload = { code: string; message: string; retryAfter?: number; setting?: string };

/** Ids the browser generates for chats and messages: short, URL-safe, never reused across users. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
