import { describe, expect, it } from "vitest";
import { isMalformedActionText } from "./action-body";

describe("isMalformedActionText", () => {
  it.each(["", "[", "not json", '{"a":1}', '"x"', '["$Q1"]', '["$@1"]', '[{"a":"$K1"}]', '["$T"]'])(
    "%s is refused",
    (body) => expect(isMalformedActionText(body)).toBe(true),
  );
  it.each([
    "[]",
    '[{"provider":"openai","enabled":true}]',
    '["$$5 off"]',
    '["$undefined"]',
    '["$D2026-01-01T00:00:00.000Z"]',
    '[null,1,"x"]',
  ])("%s is an argument list our client can send", (body) => expect(isMalformedActionText(body)).toBe(false));
});
