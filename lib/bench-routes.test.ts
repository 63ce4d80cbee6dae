import { afterEach, describe, expect, it } from "vitest";
import { BENCH_ROUTES_ENV, benchOnly } from "./bench-routes";

describe("benchOnly", () => {
  const saved = process.env[BENCH_ROUTES_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[BENCH_ROUTES_ENV];
    else process.env[BENCH_ROUTES_ENV] = saved;
  });
  const calls: Request[] = [];
  const route = benchOnly(async (req: Request) => {
    calls.push(req);
    return new Response("ran", { status: 200 });
  });
  const post = () => route(new Request("http://localhost/api/bench/floor", { method: "POST" }), undefined);

  for (const value of [undefined, "", "0", "true", "yes"]) {
    it(`answers 404 without running the handler when ${BENCH_ROUTES_ENV}=${value ?? "(unset)"}`, async () => {
      if (value === undefined) delete process.env[BENCH_ROUTES_ENV];
      else process.env[BENCH_ROUTES_ENV] = value;
      calls.length = 0;
      const res = await post();
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ code: "NOT_FOUND", message: "Not found." });
      expect(calls).toHaveLength(0);
    });
  }

  it(`runs the handler when ${BENCH_ROUTES_ENV}=1`, async () => {
    process.env[BENCH_ROUTES_ENV] = "1";
    calls.length = 0;
    const res = await post();
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ran");
    expect(calls).toHaveLength(1);
  });
});
