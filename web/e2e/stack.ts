/**
 * Playwright's global setup: the real local stack (`python -m infra.local`) on free ports,
 * seeded with the demo CRM and saving nothing; its address goes to the tests as E2E_BASE_URL.
 * E2E_BASE_URL set beforehand (a stack you run yourself) skips the start.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function python(): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = join(ROOT, ".venv", "bin", "python");
  return existsSync(venv) ? venv : "python3";
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_BASE_URL) return async () => {};
  if (!existsSync(join(ROOT, "web", "dist", "index.html"))) throw new Error("web/dist is not built: run `make web` first");
  const [port, motoPort, smtpPort, imapPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "crm-e2e-"));
  const log = join(dir, "stack.log");
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AWS_|COGNITO_|MOTO_)/.test(name) && name !== "TABLE_NAME"),
  );
  const stack = spawn(
    python(),
    ["-m", "infra.local", "--port", String(port), "--moto-port", String(motoPort), "--smtp-port", String(smtpPort),
      "--imap-port", String(imapPort), "--no-persist",
      "--state-file", join(dir, "state.json")],
    { cwd: ROOT, env, stdio: ["ignore", openSync(log, "w"), openSync(log, "a")], detached: true },
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (stack.exitCode !== null) throw new Error(`the local stack exited early:\n${readFileSync(log, "utf8")}`);
    try {
      if ((await fetch(`${base}/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(-stack.pid!, "SIGKILL");
      throw new Error(`the local stack did not answer in time:\n${readFileSync(log, "utf8")}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  // The seeded demo CRM is written after the server answers: wait until its user can sign in.
  for (;;) {
    const login = await fetch(`${base}/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ crm: "demo", email: "demo@example.com", password: "demo-password" }),
    });
    if (login.ok) break;
    if (Date.now() > deadline) throw new Error(`the demo CRM did not appear:\n${readFileSync(log, "utf8")}`);
    await new Promise((done) => setTimeout(done, 500));
  }
  process.env.E2E_BASE_URL = base;
  process.env.E2E_MOTO_PORT = String(motoPort); // for test helpers that seed the table directly
  process.env.E2E_SMTP_PORT = String(smtpPort); // the local SMTP server catching what mailboxes send
  process.env.E2E_IMAP_PORT = String(imapPort); // the demo mailbox (pymap)
  console.log(`local stack at ${base} (log: ${log})`);
  return async () => {
    const stopped = new Promise((done) => stack.once("exit", done));
    process.kill(-stack.pid!, "SIGINT"); // Ctrl-C: the stack stops its servers
    await Promise.race([stopped, new Promise((done) => setTimeout(done, 15_000))]);
    if (stack.exitCode === null) process.kill(-stack.pid!, "SIGKILL");
  };
}
