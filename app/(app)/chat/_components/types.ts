export type { PickerProvider, Selection } from "@/lib/chat/picker";
