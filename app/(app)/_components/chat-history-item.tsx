"use client";

import { Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";

type Props = {
  id: string;
  title: string;
  active: boolean;
  snippet?: string | null;
  onRename: (title: string) => Promise<boolean>;
  onDelete: () => void;
};

const action =
  "inline-flex size-7 items-center justify-center rounded-md text-muted-foreground hover:bg-background hover:text-foreground";

/** One chat in the sidebar: a link named by its title, with inline rename and delete. */
export function ChatHistoryItem({ id, title, active, snippet, onRename, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(title);
  const input = useRef<HTMLInputElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);

  const finish = async (save: boolean) => {
    const next = value.replace(/\s+/g, " ").trim();
    if (save && next && next !== title && !(await onRename(next))) return;
    setEditing(false);
    setValue(save && next ? next : title);
    renameButton.current?.focus();
  };

  if (editing) {
    return (
      <li className="px-1 py-0.5">
        <input
          ref={input}
          aria-label="Chat title"
          value={value}
          maxLength={120}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") void finish(true);
            if (e.key === "Escape") void finish(false);
          }}
          onBlur={() => void finish(true)}
          className="h-8 w-full rounded-md border border-ring bg-background px-2 text-sm outline-none ring-3 ring-ring/20"
        />
      </li>
    );
  }

  return (
    <li className="group relative">
      <Link
        href={`/chat/${id}`}
        aria-current={active ? "page" : undefined}
        // From md up the title has the row's whole width until the row's buttons show (no space
        // kept for hidden buttons); on hover or focus it wraps to show in full.
        title={title}
        className={`block rounded-lg py-2 pr-16 pl-3 text-sm transition-colors ${
          active
            ? "bg-muted font-medium text-foreground"
            : "text-foreground/80 hover:bg-muted/70 hover:text-foreground md:pr-3 md:group-focus-within:pr-16 md:group-hover:pr-16"
        }`}
      >
        <span className="block truncate group-focus-within:whitespace-normal group-focus-within:break-words group-hover:whitespace-normal group-hover:break-words">
          {title}
        </span>
        {snippet ? (
          <span className="mt-0.5 line-clamp-2 block text-xs font-normal text-muted-foreground" aria-hidden>
            {snippet}
          </span>
        ) : null}
      </Link>
      <div
        className={`absolute top-1 right-1 flex gap-0.5 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100 ${
          active ? "md:opacity-100" : ""
        }`}
      >
        <button
          ref={renameButton}
          type="button"
          aria-label="Rename chat"
          title="Rename"
          className={action}
          onClick={() => setEditing(true)}
        >
          <Pencil className="size-3.5" aria-hidden />
        </button>
        <button type="button" aria-label="Delete chat" title="Delete" className={action} onClick={onDelete}>
          <Trash2 className="size-3.5" aria-hidden />
        </button>
      </div>
    </li>
  );
}
