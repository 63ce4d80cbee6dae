import type { CodeHighlighterPlugin, HighlightResult, HighlightToken } from "streamdown";

// A small synchronous highlighter for streamdown's code blocks: comments, strings, numbers,
// keywords and calls for the languages people paste most. Shiki (@streamdown/code) would be
// exact but adds megabytes of grammars; this keeps the chat page light.

type Kind = "comment" | "string" | "number" | "keyword" | "literal" | "fn" | "plain";
type Lang = { line?: string; block?: [string, string]; keywords: Set<string>; backtick?: boolean };

const words = (s: string) => new Set(s.split(" "));
const C_LIKE =
  "if else for while do switch case break continue return new delete try catch finally throw class struct";
const LANGS: Record<string, Lang> = {
  js: {
    line: "//",
    block: ["/*", "*/"],
    backtick: true,
    keywords: words(
      `${C_LIKE} const let var function async await yield import export from default extends typeof instanceof in of this super static get set interface type enum implements public private protected readonly as satisfies keyof declare namespace`,
    ),
  },
  py: {
    line: "#",
    keywords: words(
      "def class return if elif else for while break continue pass import from as with try except finally raise lambda yield async await in is not and or global nonlocal del assert match case self",
    ),
  },
  sh: {
    line: "#",
    keywords: words(
      "if then else elif fi for while do done case esac function return in export local echo cd sudo set",
    ),
  },
  go: {
    line: "//",
    block: ["/*", "*/"],
    backtick: true,
    keywords: words(
      `${C_LIKE} func package import var const type interface map chan go defer select range default fallthrough goto`,
    ),
  },
  rust: {
    line: "//",
    block: ["/*", "*/"],
    keywords: words(
      `${C_LIKE} fn let mut pub use mod impl trait enum match loop move ref where as crate self Self async await dyn unsafe static const type`,
    ),
  },
  c: {
    line: "//",
    block: ["/*", "*/"],
    keywords: words(
      `${C_LIKE} int long short char float double void unsigned signed const static extern public private protected virtual template typename namespace using include define auto bool enum union sizeof import package extends implements final abstract interface`,
    ),
  },
  sql: {
    line: "--",
    block: ["/*", "*/"],
    keywords: words(
      "select from where and or not insert into values update set delete create table index view drop alter add join left right inner outer on as group by order having limit offset distinct union all case when then else end primary key references null is in like exists returning with SELECT FROM WHERE AND OR NOT INSERT INTO VALUES UPDATE SET DELETE CREATE TABLE INDEX DROP ALTER JOIN LEFT RIGHT INNER ON AS GROUP BY ORDER HAVING LIMIT DISTINCT UNION CASE WHEN THEN ELSE END PRIMARY KEY REFERENCES NULL IS IN LIKE EXISTS WITH",
    ),
  },
  css: { block: ["/*", "*/"], keywords: words("important media import supports keyframes from to") },
  plain: { keywords: new Set() },
};
const ALIASES: Record<string, string> = {
  javascript: "js",
  jsx: "js",
  ts: "js",
  tsx: "js",
  typescript: "js",
  json: "js",
  mjs: "js",
  python: "py",
  bash: "sh",
  shell: "sh",
  zsh: "sh",
  console: "sh",
  golang: "go",
  rs: "rust",
  cpp: "c",
  "c++": "c",
  h: "c",
  java: "c",
  kotlin: "c",
  csharp: "c",
  cs: "c",
  swift: "c",
  php: "c",
  scss: "css",
  yaml: "sh",
  yml: "sh",
  toml: "sh",
  dockerfile: "sh",
  postgres: "sql",
  postgresql: "sql",
};
const LITERALS = words("true false null undefined None True False nil NULL");

const COLORS: Record<Kind, [string, string] | undefined> = {
  comment: ["#6e7781", "#8b949e"],
  string: ["#0a3069", "#a5d6ff"],
  number: ["#0550ae", "#79c0ff"],
  keyword: ["#cf222e", "#ff7b72"],
  literal: ["#0550ae", "#79c0ff"],
  fn: ["#8250df", "#d2a8ff"],
  plain: undefined,
};

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const compiled = new Map<string, RegExp>();
function patternFor(name: string, lang: Lang): RegExp {
  let re = compiled.get(name);
  if (!re) {
    const parts: string[] = [];
    if (lang.block) parts.push(`(?<comment>${esc(lang.block[0])}[\\s\\S]*?(?:${esc(lang.block[1])}|$))`);
    if (lang.line) parts.push(`(?<lcomment>${esc(lang.line)}[^\\n]*)`);
    const quotes = lang.backtick ? "\"'`" : "\"'";
    parts.push(`(?<string>[${quotes}])`);
    parts.push("(?<number>\\b(?:0x[0-9a-fA-F]+|\\d[\\d_]*(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)\\b)");
    parts.push("(?<word>[A-Za-z_$][\\w$]*)");
    re = new RegExp(parts.join("|"), "g");
    compiled.set(name, re);
  }
  return re;
}

function tokenize(code: string, langName: string): [Kind, string][] {
  const key = LANGS[langName] ? langName : (ALIASES[langName] ?? "plain");
  const lang = LANGS[key] ?? (LANGS.plain as Lang);
  const re = patternFor(key, lang);
  re.lastIndex = 0;
  const out: [Kind, string][] = [];
  let at = 0;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    if (m.index > at) out.push(["plain", code.slice(at, m.index)]);
    const g = m.groups ?? {};
    let text = m[0];
    let kind: Kind = "plain";
    if (g.comment || g.lcomment) kind = "comment";
    else if (g.string) {
      // Scan to the closing quote by hand: escapes and (for backticks) newlines.
      const q = g.string;
      let i = m.index + 1;
      while (i < code.length && code[i] !== q && (q === "`" || code[i] !== "\n"))
        i += code[i] === "\\" ? 2 : 1;
      text = code.slice(m.index, Math.min(i + 1, code.length));
      re.lastIndex = m.index + text.length;
      kind = "string";
    } else if (g.number) kind = "number";
    else if (g.word) {
      if (lang.keywords.has(g.word)) kind = "keyword";
      else if (LITERALS.has(g.word)) kind = "literal";
      else if (code[m.index + g.word.length] === "(") kind = "fn";
    }
    out.push([kind, text]);
    at = m.index + text.length;
  }
  if (at < code.length) out.push(["plain", code.slice(at)]);
  return out;
}

export function highlightCode(code: string, language: string): HighlightResult {
  const lines: HighlightToken[][] = [[]];
  for (const [kind, text] of tokenize(code, language.toLowerCase())) {
    const color = COLORS[kind];
    text.split("\n").forEach((piece, i) => {
      if (i > 0) lines.push([]);
      if (!piece) return;
      (lines[lines.length - 1] as HighlightToken[]).push(
        color
          ? { content: piece, color: color[0], htmlStyle: { "--shiki-dark": color[1] } }
          : { content: piece },
      );
    });
  }
  return { tokens: lines };
}

export const codeHighlighter: CodeHighlighterPlugin = {
  name: "shiki",
  type: "code-highlighter",
  getSupportedLanguages: () => [...Object.keys(LANGS), ...Object.keys(ALIASES)],
  getThemes: () => ["github-light", "github-dark"],
  supportsLanguage: () => true,
  highlight: ({ code, language }) => highlightCode(code, language),
};
