// Stands in for the chat history list until the chat feature provides one.
export function ChatHistoryPlaceholder() {
  return <p className="px-3 py-2 text-sm text-muted-foreground">Your conversations will appear here.</p>;
}
