// Scripted answers for rendering tests: a user message containing `[[mock-reply:<name>]]` gets
// the named Markdown back verbatim (streamed in frames like any reply) instead of the echo, so a
// spec can check how real-looking answers render (math, code in several languages, tables).

export const CANNED_REPLIES = {
  rich: [
    "Here is the energy relation $E = mc^2$ inline, and a sum on its own line:",
    "",
    "$$",
    "\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}",
    "$$",
    "",
    "- [x] Write the docstring",
    "- [ ] Ship it",
    "",
    "| Language | Sample |",
    "| --- | --- |",
    "| Python | docstring |",
    "| Rust | raw string |",
    "",
    "```python",
    "def area(r):",
    '    """Return the area; if r < 0 this text is not code."""',
    "    return 3.14159 * r ** 2",
    "```",
    "",
    "```html",
    '<a href="/docs" class="link">Docs</a>',
    "```",
    "",
    "```diff",
    "- old line",
    "+ new line",
    "```",
    "",
    "```ruby",
    'def greet(name) = puts "Hello, #{name}"',
    "```",
    "",
    "```yaml",
    "services:",
    "  web:",
    "    image: nginx # a comment",
    "```",
    "",
    "```rust",
    'let pattern = r#"a "quoted" // not a comment"#;',
    'println!("{}", pattern);',
    "```",
    "",
    "That is all.",
  ].join("\n"),
};

const MARKER = /\[\[mock-reply:([\w-]+)\]\]/;

/** The scripted answer the last user text asks for, if any. */
export function cannedReply(lastUserText) {
  const name = MARKER.exec(lastUserText ?? "")?.[1];
  return name && Object.hasOwn(CANNED_REPLIES, name) ? CANNED_REPLIES[name] : undefined;
}
