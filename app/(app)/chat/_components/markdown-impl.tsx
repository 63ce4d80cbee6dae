"use client";

import { type ComponentProps, useEffect, useRef, useSyncExternalStore } from "react";
import { type PluginConfig, Streamdown } from "streamdown";

// The two heavy renderers load only when an answer needs them, each as its own chunk:
// @streamdown/code (Shiki; each language's grammar is a further chunk fetched the first time a
// block in that language appears) when the text has a code fence, and @streamdown/math (KaTeX
// and its stylesheet, fonts served from this origin) when it has a dollar sign. Until a plugin
// arrives the block renders unhighlighted, so nothing jumps.

type Loaded = { code?: PluginConfig["code"]; math?: PluginConfig["math"] };
let loaded: Loaded = {};
const listeners = new Set<() => void>();
const loading = new Set<keyof Loaded>();

function load(name: keyof Loaded) {
  if (loaded[name] || loading.has(name)) return;
  loading.add(name);
  const ready =
    name === "code"
      ? import("@streamdown/code").then((m) => ({
          // GitHub's "default" themes: every token colour reads at 4.5:1 or more on the block's
          // background (the older github-dark grey comments are about 3:1).
          code: m.createCodePlugin({ themes: ["github-light-default", "github-dark-default"] }),
        }))
      : Promise.all([import("@streamdown/math"), import("./katex-styles")]).then(([m]) => ({
          // Single dollars too: models write inline math as $E = mc^2$.
          math: m.createMathPlugin({ singleDollarTextMath: true }),
        }));
  ready
    .then((plugin) => {
      loaded = { ...loaded, ...plugin };
      for (const l of listeners) l();
    })
    .catch(() => loading.delete(name)); // a failed chunk load may be retried by the next answer
}

function usePlugins(text: string): Loaded {
  const needsCode = /```|~~~/.test(text);
  const needsMath = text.includes("$");
  useEffect(() => {
    if (needsCode) load("code");
    if (needsMath) load("math");
  }, [needsCode, needsMath]);
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => loaded,
    () => loaded,
  );
}

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

/** A task list's checkbox: read-only, and named, so a screen reader says what it shows. */
function TaskCheckbox({ node: _node, ...props }: ComponentProps<"input"> & { node?: unknown }) {
  if (props.type !== "checkbox") return <input {...props} />;
  return <input {...props} disabled aria-label={props.checked ? "Done" : "Not done"} />;
}

const components = { img: ImageAsLink, input: TaskCheckbox };

/**
 * Code blocks and tables scroll sideways when wide: make each a named, focusable region so a
 * keyboard user can scroll it too (streamdown renders them without a tabindex).
 */
function useScrollableRegions(root: React.RefObject<HTMLDivElement | null>) {
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const label = () => {
      for (const body of el.querySelectorAll<HTMLElement>(
        '[data-streamdown="code-block-body"]:not([tabindex])',
      )) {
        const lang = body.dataset.language;
        body.tabIndex = 0;
        body.setAttribute("role", "region");
        body.setAttribute("aria-label", lang ? `Code (${lang})` : "Code");
      }
      for (const wrap of el.querySelectorAll<HTMLElement>(
        '[data-streamdown="table-wrapper"] > div:has(> table):not([tabindex])',
      )) {
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table");
      }
    };
    label();
    const mo = new MutationObserver(label);
    mo.observe(el, { childList: true, subtree: true });
    return () => mo.disconnect();
  }, [root]);
}

export function MarkdownImpl({ text, streaming }: { text: string; streaming: boolean }) {
  const plugins = usePlugins(text);
  const root = useRef<HTMLDivElement>(null);
  useScrollableRegions(root);
  return (
    <div ref={root}>
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
    </div>
  );
}
