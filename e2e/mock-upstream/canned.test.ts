import { describe, expect, it } from "vitest";
import { CANNED_REPLIES } from "./canned.mjs";
import { buildReply } from "./reply.mjs";

// The scripted answers arrive exactly as written (newlines and indentation kept), in frames.

describe("mock upstream scripted replies", () => {
  it("a [[mock-reply:rich]] marker gets the rich Markdown verbatim, split into frames", () => {
    const reply = buildReply(["earlier", "Show me [[mock-reply:rich]] please"], 30);
    expect(reply.text).toBe(CANNED_REPLIES.rich);
    expect(reply.frames.length).toBe(30);
    expect(reply.text).toContain('```rust\nlet pattern = r#"a "quoted" // not a comment"#;');
    expect(reply.turn).toBe(2);
  });

  it("an unknown name or no marker keeps the echo", () => {
    expect(buildReply(["[[mock-reply:nope]]"], 5).text).toMatch(/^Echo \(turn 1\)/);
    expect(buildReply(["plain"], 5).text).toMatch(/^Echo \(turn 1\): plain/);
    expect(buildReply(["plain"], 5, "gpt-5-mini").text).toMatch(/^Echo \(turn 1\): plain/);
    expect(buildReply(["a", "which [[mock-echo-model]]"], 5, "gpt-5-mini").text).toMatch(
      /^Echo \(turn 2 by gpt-5-mini\): which/,
    );
  });
});
