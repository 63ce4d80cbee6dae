import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { requireUser } from "@/lib/auth";
import { getChat, listMessages } from "@/lib/chat/history";
import { initialSelection } from "@/lib/chat/picker";
import { loadPicker } from "@/lib/chat/picker-data";
import { type ChatUIMessage, CLIENT_ID_PATTERN } from "@/lib/chat/types";
import { env } from "@/lib/env";
import { getSystemPrompt } from "@/lib/keys/settings";
import { ChatView } from "../_components/chat-view";

type Props = { params: Promise<{ id: string }> };

const PAGE_SIZE = 40;

// cache(): metadata and page share one lookup per request.
const ownChat = cache(async (id: string) => {
  const user = await requireUser(`/chat/${encodeURIComponent(id)}`);
  // Someone else's chat and a missing one look the same: 404.
  const chat = CLIENT_ID_PATTERN.test(id) ? await getChat(user.id, id) : null;
  if (!chat) notFound();
  return { user, chat };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { chat } = await ownChat((await params).id);
  return { title: chat.title };
}

function lastAnswerKeyId(messages: ChatUIMessage[]): string | undefined {
  return messages.findLast((m) => m.role === "assistant" && m.metadata?.keyId)?.metadata?.keyId;
}

export default async function ChatPage({ params }: Props) {
  const { user, chat } = await ownChat((await params).id);
  const [page, { providers, rejected, defaults, budgetWarnings }, systemPrompt] = await Promise.all([
    listMessages(user.id, chat.id, { limit: PAGE_SIZE }),
    loadPicker(user.id),
    getSystemPrompt(user.id),
  ]);
  return (
    <ChatView
      key={chat.id}
      userId={user.id}
      chatId={chat.id}
      isNew={false}
      title={chat.title}
      initialMessages={page.messages}
      hasMore={page.hasMore}
      providers={providers}
      rejected={rejected}
      budgetWarnings={budgetWarnings}
      initialSelection={initialSelection(providers, [
        // The endpoint the last answer came from (OpenAI-compatible with several endpoints).
        { provider: chat.provider, model: chat.model, keyId: lastAnswerKeyId(page.messages) },
        defaults,
      ])}
      maxChars={env().CHAT_MAX_MESSAGE_CHARS}
      initialSettings={{
        systemPrompt: chat.systemPrompt,
        temperature: chat.temperature,
        maxOutputTokens: chat.maxOutputTokens,
      }}
      defaultSystemPrompt={systemPrompt}
    />
  );
}
