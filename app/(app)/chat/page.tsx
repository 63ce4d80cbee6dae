import { generateId } from "ai";
import type { Metadata } from "next";
import { requireUser } from "@/lib/auth";
import { DEFAULT_CHAT_SETTINGS } from "@/lib/chat/params";
import { initialSelection } from "@/lib/chat/picker";
import { loadPicker } from "@/lib/chat/picker-data";
import { env } from "@/lib/env";
import { getSystemPrompt } from "@/lib/keys/settings";
import { ChatView } from "./_components/chat-view";

export const metadata: Metadata = { title: "New chat" };

// /chat: a new, empty conversation. Its id is made here, so every visit starts a fresh one; the
// chat row is created by its first message.
export default async function NewChatPage() {
  const user = await requireUser("/chat");
  const [{ providers, rejected, defaults, budgetWarnings }, systemPrompt] = await Promise.all([
    loadPicker(user.id),
    getSystemPrompt(user.id),
  ]);
  const chatId = generateId();
  return (
    <ChatView
      key={chatId}
      userId={user.id}
      chatId={chatId}
      isNew
      initialMessages={[]}
      hasMore={false}
      providers={providers}
      rejected={rejected}
      budgetWarnings={budgetWarnings}
      initialSelection={initialSelection(providers, [defaults])}
      maxChars={env().CHAT_MAX_MESSAGE_CHARS}
      initialSettings={DEFAULT_CHAT_SETTINGS}
      defaultSystemPrompt={systemPrompt}
    />
  );
}
