"use client";

import { ConfirmDialog } from "@/app/_components/confirm-dialog";

type Props = {
  open: boolean;
  providerLabel: string;
  /** What chats fall back to once the key is gone. */
  afterRemoval: string;
  pending: boolean;
  onConfirm: () => void;
  onClose: () => void;
};

export function RemoveDialog({ open, providerLabel, afterRemoval, pending, onConfirm, onClose }: Props) {
  return (
    <ConfirmDialog
      open={open}
      title={`Remove your ${providerLabel} key?`}
      confirmLabel="Remove key"
      pending={pending}
      onConfirm={onConfirm}
      onClose={onClose}
    >
      <p>The encrypted key is deleted from this server. {afterRemoval}</p>
      <p>To stop using it without deleting it, switch off “Use my personal key” instead.</p>
    </ConfirmDialog>
  );
}
