import { requireUser } from "@/lib/auth";
import { listChats } from "@/lib/chat/history";
import { ChatHistoryList } from "./chat-history-list";

export const HISTORY_PAGE_SIZE = 30;

/** The sidebar's chat list: the first page is rendered on the server, the rest is fetched. */
export async function ChatHistory() {
  const user = await requireUser();
  const page = await listChats(user.id, { limit: HISTORY_PAGE_SIZE });
  return <ChatHistoryList initial={page} pageSize={HISTORY_PAGE_SIZE} />;
}
