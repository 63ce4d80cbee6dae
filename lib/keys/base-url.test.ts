import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { checkBaseUrl, isPrivateAddress, type LookupAll } from "./base-url";

// The guard on its own, with private networks NOT allowed (the server default). Hostnames use an
// injected resolver so the cases do not depend on this machine's DNS; "localhost" also goes
// through the real resolver.

const resolvesTo =
  (...addresses: string[]): LookupAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
const publicDns = resolvesTo("93.184.216.34");
const strict = { allowPrivate: false, lookup: publicDns };

async function refusal(raw: string, opts: Parameters<typeof checkBaseUrl>[1] = strict): Promise<AppError> {
  try {
    await checkBaseUrl(raw, opts);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error(`expected ${raw} to be refused`);
}

describe("checkBaseUrl", () => {
  it("accepts a public https URL and normalises the trailing slash", async () => {
    await expect(checkBaseUrl("https://api.example.com/v1/", strict)).resolves.toBe(
      "https://api.example.com/v1",
    );
    await expect(checkBaseUrl("  http://openrouter.example/api/v1 ", strict)).resolves.toBe(
      "http://openrouter.example/api/v1",
    );
  });

  it.each([
    ["ftp://api.example.com/v1", /http:\/\/ or https:\/\//],
    ["file:///etc/passwd", /http:\/\/ or https:\/\//],
    ["javascript:alert(1)", /http:\/\/ or https:\/\//],
    ["not a url", /not a valid URL/],
    ["", /Enter the base URL/],
    ["https://user:pass@api.example.com/v1", /user name or password/],
    ["https://user@api.example.com/v1", /user name or password/],
    ["https://api.example.com/v1?key=abc", /query string/],
    [`https://api.example.com/${"a".repeat(2100)}`, /too long/],
  ])("refuses %s", async (raw, message) => {
    const e = await refusal(raw);
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.status).toBe(400);
    expect(e.message).toMatch(message);
    expect(e.issues?.[0]?.path).toBe("baseUrl");
  });

  it.each([
    "http://127.0.0.1:11434/v1",
    "http://127.1/v1", // WHATWG URL normalises short and numeric forms
    "http://2130706433/v1",
    "http://0x7f.0.0.1/v1",
    "http://0.0.0.0/v1",
    "http://10.1.2.3/v1",
    "http://172.16.0.1/v1",
    "http://172.31.255.255/v1",
    "http://192.168.1.10/v1",
    "http://100.64.0.1/v1", // CGNAT
    "http://169.254.10.10/v1", // link-local
    "http://[::1]/v1",
    "http://[fd12:3456::1]/v1", // unique-local
    "http://[fe80::1]/v1",
    "http://[::ffff:127.0.0.1]/v1", // IPv4-mapped
    "http://[::ffff:10.0.0.1]/v1",
    "http://[64:ff9b::10.0.0.1]/v1", // NAT64 of a private address
  ])("refuses the private or loopback address in %s", async (raw) => {
    const e = await refusal(raw);
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.message).toMatch(/private, local or reserved/);
  });

  it("refuses a host name that resolves to a private address, checking every address", async () => {
    const e = await refusal("https://innocent.example/v1", {
      allowPrivate: false,
      lookup: resolvesTo("93.184.216.34", "10.0.0.7"),
    });
    expect(e.message).toMatch(/private, local or reserved/);
    // The user learns that the operator can allow it, and with which setting.
    expect(e.message).toMatch(/ALLOW_PRIVATE_BASE_URLS=true/);
  });

  it("refuses localhost by name, through the real resolver too", async () => {
    await expect(refusal("http://localhost:1234/v1", { allowPrivate: false })).resolves.toHaveProperty(
      "code",
      "VALIDATION_FAILED",
    );
    await expect(refusal("http://api.localhost/v1")).resolves.toHaveProperty("code", "VALIDATION_FAILED");
  });

  it("refuses cloud metadata endpoints even when private networks are allowed", async () => {
    const open = { allowPrivate: true, lookup: publicDns };
    for (const raw of [
      "http://169.254.169.254/latest/meta-data",
      "http://[fd00:ec2::254]/",
      "http://metadata.google.internal/computeMetadata/v1",
      "http://100.100.100.200/",
      "http://[::ffff:169.254.169.254]/",
    ]) {
      const e = await refusal(raw, open);
      expect(e.message, raw).toMatch(/metadata/);
    }
    const viaDns = await refusal("https://sneaky.example/v1", {
      allowPrivate: true,
      lookup: resolvesTo("169.254.169.254"),
    });
    expect(viaDns.message).toMatch(/metadata/);
  });

  it("allows private and loopback addresses when the operator allows them (local Ollama)", async () => {
    const open = { allowPrivate: true, lookup: publicDns };
    await expect(checkBaseUrl("http://127.0.0.1:11434/v1", open)).resolves.toBe("http://127.0.0.1:11434/v1");
    await expect(checkBaseUrl("http://192.168.1.20:1234/v1", open)).resolves.toBe(
      "http://192.168.1.20:1234/v1",
    );
    await expect(checkBaseUrl("http://localhost:11434/v1", { allowPrivate: true })).resolves.toBe(
      "http://localhost:11434/v1",
    );
  });

  it("reports a host that does not resolve", async () => {
    const e = await refusal("https://nowhere.invalid/v1", {
      allowPrivate: false,
      lookup: async () => {
        throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
      },
    });
    expect(e.message).toMatch(/could not be resolved/);
  });
});

describe("isPrivateAddress", () => {
  it.each([
    ["8.8.8.8", false],
    ["93.184.216.34", false],
    ["2606:4700::1111", false],
    ["172.32.0.1", false],
    ["100.128.0.1", false],
    ["127.0.0.1", true],
    ["::1", true],
    ["fc00::1", true],
    ["2002:a00:1::", true], // 6to4 of 10.0.0.1
    ["64:ff9b::808:808", false], // NAT64 of 8.8.8.8
  ])("%s → %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});
