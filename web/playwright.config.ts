import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser) against the real local
 * stack, which e2e/stack.ts starts on free ports (seeded with the demo CRM, nothing saved).
 */
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  globalSetup: "./e2e/stack.ts",
  // One local stack on a small machine: one worker, no parallel writes to the demo CRM.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  // The analytics pages wait for the demo history, which the stack writes in the background for a
  // minute or two after it starts: they run last (one worker takes the projects in this order), when
  // it is long written, instead of waiting first. No dependency: each project runs alone on request.
  projects: [
    { name: "app", testIgnore: /analytics\.spec\.ts$/ },
    { name: "analytics", testMatch: /analytics\.spec\.ts$/ },
  ],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    // The tests take their own screenshots of what they show (`snap`); a failure adds its last page.
    screenshot: "only-on-failure",
    // Tracing records every action of every test (6% of the run here): E2E_TRACE=1 keeps a failure's.
    trace: process.env.E2E_TRACE ? "retain-on-failure" : "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
