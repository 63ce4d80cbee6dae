"use client";

import type { ComponentProps } from "react";
import { Streamdown } from "streamdown";
import { codeHighlighter } from "@/lib/chat/highlight";

const plugins = { code: codeHighlighter };

/**
 * A Markdown image in an answer is shown as a link, never loaded: a prompt-injected answer could
 * otherwise make the browser fetch a URL carrying the conversation out (the CSP's img-src backs
 * this up). Clicking it is the user's own choice.
 */
function ImageAsLink({ src, alt }: ComponentProps<"img">) {
  const label = alt?.trim() || "image";
  let url: URL | undefined;
  try {
    url = typeof src === "string" ? new URL(src) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return <span>[{label}]</span>;
  return (
    <a href={url.href} target="_blank" rel="noopener noreferrer nofollow" title={url.href}>
      [image: {label} · {url.host}]
    </a>
  );
}

const components = { img: ImageAsLink };

export function MarkdownImpl({ text, streaming }: { text: string; streaming: boolean }) {
  return (
    <Streamdown
      className="chat-markdown space-y-3 text-[15px] leading-7 break-words"
      plugins={plugins}
      components={components}
      isAnimating={streaming}
      parseIncompleteMarkdown
      controls={{ code: true, table: true, mermaid: false }}
    >
      {text}
    </Streamdown>
  );
}
