export type { PickerProvider, RejectedKey, Selection } from "@/lib/chat/picker";
