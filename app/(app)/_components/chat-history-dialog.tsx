"use client";

import { ConfirmDialog } from "@/app/_components/confirm-dialog";

type Props = {
  title: string | null;
  pending: boolean;
  onConfirm: () => void;
  onClose: () => void;
};

export function ChatHistoryDeleteDialog({ title, pending, onConfirm, onClose }: Props) {
  return (
    <ConfirmDialog
      open={title !== null}
      title="Delete chat?"
      confirmLabel="Delete"
      pending={pending}
      onConfirm={onConfirm}
      onClose={onClose}
    >
      <p>“{title}” and all its messages will be deleted. This cannot be undone.</p>
    </ConfirmDialog>
  );
}
