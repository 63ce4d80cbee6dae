import { describe, expect, it } from "vitest";
import { hasMalformedEscape } from "./url-path";

describe("hasMalformedEscape", () => {
  it.each([
    "/api/chats/%",
    "/api/chats/%ZZ",
    "/api/chats/%E0%A4%A",
    "/api/keys/%FF",
    "/chat/%C0%AF",
    "/a/%ED%A0%80/b",
  ])("%s is malformed", (p) => expect(hasMalformedEscape(p)).toBe(true));
  it.each([
    "/api/chats/abc",
    "/api/chats/%20x",
    "/api/chats/%25",
    "/api/chats/%00",
    "/chat/%F0%9F%98%80",
    "/",
  ])("%s decodes", (p) => expect(hasMalformedEscape(p)).toBe(false));
});
