import { afterEach, describe, expect, it, vi } from "vitest";

import { UploadError, uploadFile } from "./api";

/** A stand-in XMLHttpRequest: records what was sent, and lets the test play S3's side. */
class FakeXhr {
  static last: FakeXhr;
  method = "";
  url = "";
  headers: Record<string, string> = {};
  status = 0;
  responseText = "";
  body: unknown;
  private listeners: Record<string, ((e: unknown) => void)[]> = {};
  private uploadListeners: Record<string, ((e: unknown) => void)[]> = {};
  upload = { addEventListener: (name: string, fn: (e: unknown) => void) => (this.uploadListeners[name] ??= []).push(fn) };
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  addEventListener(name: string, fn: (e: unknown) => void) {
    (this.listeners[name] ??= []).push(fn);
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.emit("abort");
  }
  progress(loaded: number, total: number) {
    this.uploadListeners.progress?.forEach((fn) => fn({ loaded, total, lengthComputable: true }));
  }
  emit(name: string) {
    this.listeners[name]?.forEach((fn) => fn({}));
  }
}

afterEach(() => vi.unstubAllGlobals());

describe("uploadFile", () => {
  it("PUTs the file to the presigned URL and reports its progress up to the end", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const file = new File(["a;b\n1;2\n"], "clients.csv", { type: "text/csv" });
    const seen: number[] = [];
    const done = uploadFile("https://files.example/put?sig=1", file, (loaded) => seen.push(loaded));
    const xhr = FakeXhr.last;
    expect([xhr.method, xhr.url, xhr.headers["Content-Type"], xhr.body]).toEqual(["PUT", "https://files.example/put?sig=1", "text/csv", file]);
    xhr.progress(4, 8);
    xhr.status = 200;
    xhr.emit("load");
    await done;
    expect(seen).toEqual([4, 8]);
  });

  it("fails with S3's error code, or on a network error", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const file = new File(["x"], "x.csv");
    const refused = uploadFile("https://files.example/put", file, () => {});
    FakeXhr.last.status = 403;
    FakeXhr.last.responseText = "<Error><Code>AccessDenied</Code></Error>";
    FakeXhr.last.emit("load");
    await expect(refused).rejects.toEqual(new UploadError(403, "AccessDenied"));
    const offline = uploadFile("https://files.example/put", file, () => {});
    FakeXhr.last.emit("error");
    await expect(offline).rejects.toBeInstanceOf(UploadError);
  });
});
