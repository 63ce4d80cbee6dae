"use client";

import dynamic from "next/dynamic";
import { createContext, memo, useContext } from "react";

// streamdown (markdown made for partial input) loads only when an answer is shown, keeping it
// out of the chat page's first load; code highlighting and math load later still, only for the
// answers that need them (markdown-impl). Until it arrives (and in the server render) the answer
// shows as plain text, so nothing jumps or disappears.

const FallbackText = createContext("");

function PlainText() {
  return <p className="text-[15px] leading-7 whitespace-pre-wrap">{useContext(FallbackText)}</p>;
}

const LazyMarkdown = dynamic(() => import("./markdown-impl").then((m) => m.MarkdownImpl), {
  ssr: false,
  loading: PlainText,
});

type Props = { text: string; streaming: boolean };

export const Markdown = memo(function Markdown({ text, streaming }: Props) {
  return (
    <FallbackText.Provider value={text}>
      <LazyMarkdown text={text} streaming={streaming} />
    </FallbackText.Provider>
  );
});
