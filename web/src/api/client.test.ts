import { describe, expect, it, vi } from "vitest";

import { createApi, unwrap } from "./client";
import { ApiError } from "./errors";
import { memoryTokenStore } from "./session";

const BASE = "http://api.test";
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const expired = () => json(401, { error: { code: "unauthorized", message: "the access token has expired; refresh it" } });
const me = { id: "U1", name: "Ann", email: "ann@example.com" };

/** A fake server: records each request (path and bearer) and answers with `answer`. */
function server(answer: (path: string, bearer: string | null, body: string) => Response) {
  const calls: { path: string; bearer: string | null }[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const path = new URL(request.url).pathname;
    const bearer = request.headers.get("Authorization");
    calls.push({ path, bearer });
    return answer(path, bearer, await request.text());
  });
  return { fetch, calls };
}

describe("the API client", () => {
  it("sends the access token", async () => {
    const tokens = memoryTokenStore({ accessToken: "A1", refreshToken: "R1" });
    const { fetch, calls } = server(() => json(200, me));
    const api = createApi({ baseUrl: BASE, tokens, fetch });

    await expect(unwrap(api.GET("/v1/me"))).resolves.toMatchObject({ name: "Ann" });
    expect(calls).toEqual([{ path: "/v1/me", bearer: "Bearer A1" }]);
  });

  it("refreshes the token once on a 401 and retries the call with its body", async () => {
    const tokens = memoryTokenStore({ accessToken: "A1", refreshToken: "R1" });
    const bodies: string[] = [];
    const { fetch, calls } = server((path, bearer, body) => {
      if (path === "/v1/auth/refresh") return json(200, { access_token: "A2", expires_in: 3600 });
      bodies.push(body);
      return bearer === "Bearer A2" ? json(200, me) : expired();
    });
    const api = createApi({ baseUrl: BASE, tokens, fetch });

    await unwrap(api.PATCH("/v1/me", { body: { language: "fr" } }));

    expect(calls.map((c) => [c.path, c.bearer])).toEqual([
      ["/v1/me", "Bearer A1"],
      ["/v1/auth/refresh", null],
      ["/v1/me", "Bearer A2"],
    ]);
    expect(bodies).toEqual(['{"language":"fr"}', '{"language":"fr"}']);
    expect(tokens.get()).toEqual({ accessToken: "A2", refreshToken: "R1" });
  });

  it("shares one refresh between concurrent calls", async () => {
    const tokens = memoryTokenStore({ accessToken: "A1", refreshToken: "R1" });
    const { fetch, calls } = server((path, bearer) => {
      if (path === "/v1/auth/refresh") return json(200, { access_token: "A2", expires_in: 3600 });
      return bearer === "Bearer A2" ? json(200, me) : expired();
    });
    const api = createApi({ baseUrl: BASE, tokens, fetch });

    await Promise.all([unwrap(api.GET("/v1/me")), unwrap(api.GET("/v1/me")), unwrap(api.GET("/v1/me"))]);

    expect(calls.filter((c) => c.path === "/v1/auth/refresh")).toHaveLength(1);
  });

  it("signs out when the refresh fails, and surfaces the 401", async () => {
    const tokens = memoryTokenStore({ accessToken: "A1", refreshToken: "R1" });
    const onSignedOut = vi.fn();
    const { fetch, calls } = server((path) =>
      path === "/v1/auth/refresh" ? json(401, { error: { code: "unauthorized", message: "invalid refresh token" } }) : expired(),
    );
    const api = createApi({ baseUrl: BASE, tokens, fetch, onSignedOut });

    const error = await unwrap(api.GET("/v1/me")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: "unauthorized" });
    expect(tokens.get()).toBeNull();
    expect(onSignedOut).toHaveBeenCalledOnce();
    expect(calls.map((c) => c.path)).toEqual(["/v1/me", "/v1/auth/refresh"]);
  });

  it("does not refresh when the sign-in itself is refused", async () => {
    const tokens = memoryTokenStore();
    const { fetch, calls } = server(() => json(401, { error: { code: "unauthorized", message: "bad credentials" } }));
    const api = createApi({ baseUrl: BASE, tokens, fetch });

    const error = await unwrap(api.POST("/v1/auth/login", { body: { crm: "demo", email: "a@b.c", password: "x" } })).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ status: 401, message: "bad credentials" });
    expect(calls).toHaveLength(1);
  });

  it("turns the error envelope into a typed error naming the field", async () => {
    const tokens = memoryTokenStore();
    const { fetch } = server(() =>
      json(400, { error: { code: "validation_error", message: "admin.email: not an email", field: "admin.email" } }),
    );
    const api = createApi({ baseUrl: BASE, tokens, fetch });

    const error = await unwrap(
      api.POST("/v1/crms", { body: { name: "Acme", admin: { name: "A", email: "x", password: "p".repeat(8), extension: "100" } } }),
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ status: 400, code: "validation_error", field: "admin.email" });
  });

  it("reports a network failure as a network_error", async () => {
    const api = createApi({ baseUrl: BASE, tokens: memoryTokenStore(), fetch: () => Promise.reject(new TypeError("offline")) });

    await expect(unwrap(api.GET("/v1/health"))).rejects.toMatchObject({ code: "network_error", status: 0 });
  });
});
