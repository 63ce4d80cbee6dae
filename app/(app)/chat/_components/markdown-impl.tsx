"use client";

import { Streamdown } from "streamdown";
import { codeHighlighter } from "@/lib/chat/highlight";

const plugins = { code: codeHighlighter };

export function MarkdownImpl({ text, streaming }: { text: string; streaming: boolean }) {
  return (
    <Streamdown
      className="chat-markdown space-y-3 text-[15px] leading-7 break-words"
      plugins={plugins}
      isAnimating={streaming}
      parseIncompleteMarkdown
      controls={{ code: true, table: true, mermaid: false }}
    >
      {text}
    </Streamdown>
  );
}
