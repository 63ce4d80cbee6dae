import type { KeyDto } from "./types";

/** One sentence: which key a new chat with this provider would run on right now. */
export function sourceLine(dto: KeyDto, label: string): string {
  if (dto.chatSource === "personal") return "Chats use your key.";
  if (dto.chatSource === "system") {
    return dto.hasKey
      ? "Your key is off, so chats use this server's key."
      : "Chats use this server's key until you add your own.";
  }
  switch (dto.status) {
    case "needs_reentry":
      return "This key can no longer be decrypted on this server. Enter it again to keep chatting.";
    case "invalid":
      return `${label} rejected this key. Replace it, or test it again if you fixed it at ${label}.`;
    case "disabled":
      return "Your key is off and this server has no key of its own: chats will ask you for one.";
    default:
      return `No key yet. Add one to chat with ${label}.`;
  }
}
