// KaTeX's stylesheet, in its own module so it is fetched with the math plugin (markdown-impl)
// and not with every page. Its fonts are bundled and served from this origin (CSP font-src 'self').
import "katex/dist/katex.min.css";
