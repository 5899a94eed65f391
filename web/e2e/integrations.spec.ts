/**
 * Settings → API keys, webhooks and Google Calendar against the local stack: the webhooks are
 * delivered to a receiver on loopback, Google is the stack's fake (consent approved at once).
 */
import { createServer, type Server } from "node:http";

import { expect as baseExpect, test, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";

import { DEMO, expectAccessible, signIn, snap } from "./helpers";

const expect = baseExpect.configure({ timeout: 30_000 });
test.beforeEach(() => test.setTimeout(120_000));

async function token(request: APIRequestContext) {
  const login = await request.post("/v1/auth/login", { data: { crm: DEMO.crm, email: DEMO.email, password: DEMO.password } });
  return ((await login.json()) as { access_token: string }).access_token;
}

async function open(page: Page, path: string) {
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(path);
}

/** The status of a request made by the page itself with only the key (no session token). */
function withKey(page: Page, key: string) {
  return page.evaluate(async (k) => (await fetch("/v1/me", { headers: { "X-Api-Key": k } })).status, key);
}

test("an API key is shown once, works at once, and stops working once revoked", async ({ page, context }, info) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await open(page, "/settings/api-keys");
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "API keys" })).toBeVisible();
  const form = page.getByRole("form", { name: "Create a key" });
  await expectAccessible(page, "the API keys screen");

  const name = `E2E script ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Scope").selectOption({ label: "API (every route)" });
  await form.getByRole("button", { name: "Create the key" }).click();

  const dialog = page.getByRole("dialog", { name: `Your new key “${name}”` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText("it is shown this once only")).toBeVisible();
  const key = await dialog.getByLabel("The key").inputValue();
  expect(key).toMatch(/^crm_[0-9A-Z]+_.+/);
  await dialog.getByRole("button", { name: "Copy the key" }).click();
  await expect(dialog.getByRole("status").filter({ hasText: "Copied." })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await expectAccessible(page, "the new key's dialog");
  await snap(page, info, "api-key-created");
  await dialog.getByRole("button", { name: "I have stored the key" }).click();
  await expect(dialog).toBeHidden();

  // Listed with its prefix only: the key itself is gone from the page.
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });
  await expect(row).toBeVisible();
  await expect(row.getByText(key.split("_").slice(0, 2).join("_"), { exact: true })).toBeVisible();
  await expect(row.getByText("Dana Demo")).toBeVisible(); // the owner, for an administrator
  expect(await page.content()).not.toContain(key);

  expect(await withKey(page, key)).toBe(200);

  await expect(row.getByRole("button", { name: `Revoke ${name}` })).toHaveText("Revoke");
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole("dialog", { name: `Revoke the key “${name}”?` });
  await expect(confirm.getByText("This cannot be undone.")).toBeVisible();
  await confirm.getByRole("button", { name: "Revoke the key" }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toBeHidden();
  expect(await withKey(page, key)).toBe(401);
  await snap(page, info, "api-key-revoked");
});

test("a forms key comes with its website form, the key filled in", async ({ page, request }, info) => {
  await open(page, "/settings/api-keys");
  const form = page.getByRole("form", { name: "Create a key" });
  const name = `E2E shop form ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Scope").selectOption({ label: "Website forms only" });
  await form.getByLabel("Allowed origins").fill("https://shop.example/\nhttps://www.shop.example");
  await form.getByLabel("Requests a minute").fill("30");
  await form.getByRole("button", { name: "Create the key" }).click();

  const dialog = page.getByRole("dialog", { name: `Your new key “${name}”` });
  const key = await dialog.getByLabel("The key").inputValue();
  const code = dialog.getByLabel("HTML and JavaScript of the form");
  await expect(code).toHaveValue(/<form/);
  await expect(dialog.getByText("The key is already filled in.")).toBeVisible();
  expect(await code.inputValue()).toContain(key);
  expect(await code.inputValue()).not.toContain("PASTE-THE-REST-OF-YOUR-KEY");
  await snap(page, info, "forms-key-snippet");
  await dialog.getByRole("button", { name: "I have stored the key" }).click();

  // Later, the snippet cannot hold the key: it says where to paste it.
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });
  await expect(row.getByRole("cell", { name: "Website forms only" })).toBeVisible();
  await row.getByRole("button", { name: `Website form of ${name}` }).click();
  const later = page.getByRole("dialog", { name: `Website form of “${name}”` });
  await expect(later.getByLabel("HTML and JavaScript of the form")).toHaveValue(/PASTE-THE-REST-OF-YOUR-KEY/);
  await expectAccessible(page, "the website form dialog");
  await later.getByRole("button", { name: "Close" }).click();

  // The API kept the origins and the limit as typed.
  const keys = await request.get("/v1/api-keys?limit=100", { headers: { Authorization: `Bearer ${await token(request)}` } });
  const saved = ((await keys.json()) as { items: { name: string; allowed_origins: string[]; rate_limit: number }[] }).items.find(
    (k) => k.name === name,
  );
  expect(saved).toMatchObject({ allowed_origins: ["https://shop.example", "https://www.shop.example"], rate_limit: 30 });
  // A bad origin is shown on the field.
  await form.getByLabel("Name").fill(`${name} bis`);
  await form.getByLabel("Allowed origins").fill("not an origin");
  await form.getByRole("button", { name: "Create the key" }).click();
  await expect(form.getByLabel("Allowed origins")).toHaveAttribute("aria-invalid", "true");
});

/** A receiver on loopback answering 200 to every delivery, and the bodies it got. */
async function receiver(): Promise<{ server: Server; url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/e2e-${Date.now()}`, bodies };
}

test("a webhook is added with its secret shown once, shows its delivery log, and is deleted", async ({ page, request }, info) => {
  test.setTimeout(240_000);
  const target = await receiver();
  try {
    await webhookFlow(page, request, info, target.url);
    expect(target.bodies.some((b) => b.includes('"lead.created"'))).toBe(true);
  } finally {
    target.server.close();
  }
});

async function webhookFlow(page: Page, request: APIRequestContext, info: TestInfo, target: string) {
  await open(page, "/settings/webhooks");
  await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
  const form = page.getByRole("form", { name: "Add a webhook" });
  await expectAccessible(page, "the webhooks screen");
  await form.getByLabel("Event").selectOption({ label: "Lead created" });
  await form.getByLabel("Target URL").fill(target);
  await form.getByRole("button", { name: "Add the webhook" }).click();

  const dialog = page.getByRole("dialog", { name: "The signing secret of your webhook" });
  await expect(dialog.getByLabel("Signing secret")).toHaveValue(/^whsec_/);
  await expectAccessible(page, "the webhook secret dialog");
  await snap(page, info, "webhook-secret");
  await dialog.getByRole("button", { name: "I have stored the secret" }).click();

  const row = page.getByRole("row").filter({ hasText: target });
  await expect(row.getByRole("rowheader", { name: "Lead created" })).toBeVisible();
  await expect(row.getByRole("cell", { name: "Active" })).toBeVisible();
  const logButton = row.getByRole("button", { name: `Delivery log of ${target}` });
  await expect(logButton).toHaveText("Delivery log");
  await logButton.click();
  const log = page.getByRole("region", { name: `Delivery log of ${target}` });
  await expect(log.getByRole("heading", { name: "Delivery log" })).toBeVisible();
  // A new lead: the delivery worker (every 3 s on the local stack) posts it to the receiver.
  const lead = await request.post("/v1/leads", {
    data: { name: `E2E webhook lead ${Date.now()}` },
    headers: { Authorization: `Bearer ${await token(request)}` },
  });
  expect(lead.status()).toBe(201);
  const delivered = log.getByRole("row").filter({ hasText: "Delivered" }).first();
  await expect(delivered.getByRole("cell", { name: "200", exact: true })).toBeVisible({ timeout: 45_000 });
  await expect(delivered.getByRole("cell", { name: "1", exact: true })).toBeVisible();
  await expectAccessible(page, "the delivery log");
  await snap(page, info, "webhook-log");

  await row.getByRole("button", { name: `Delete the webhook ${target}` }).click();
  const confirm = page.getByRole("dialog", { name: `Delete the webhook to ${target}?` });
  await confirm.getByRole("button", { name: "Delete the webhook" }).click();
  await expect(row).toBeHidden();
  await expect(log).toBeHidden();
}

test("Google Calendar connects, saves its options, syncs and disconnects", async ({ page }, info) => {
  await open(page, "/settings/calendar");
  await expect(page.getByRole("heading", { name: "Google Calendar", level: 1 })).toBeVisible();
  const connect = page.getByRole("button", { name: "Connect Google Calendar" });
  await expect(connect).toBeVisible();
  await expectAccessible(page, "the calendar screen, not connected");
  await connect.click();
  // Google's consent (the local fake) comes back through the API's callback.
  await expect(page.getByRole("status").filter({ hasText: "Google Calendar is connected." })).toBeVisible();
  await expect(page).toHaveURL(/\/settings\/calendar$/);
  await expect(page.getByText("Working", { exact: true })).toBeVisible();
  await expectAccessible(page, "the calendar screen, connected");
  await snap(page, info, "calendar-connected");

  const options = page.getByRole("form", { name: "Options" });
  const pull = options.getByLabel("Bring my future Google events into the CRM as tasks");
  const wasPulling = await pull.isChecked();
  await pull.setChecked(!wasPulling);
  await options.getByRole("button", { name: "Save the options" }).click();
  await expect(options.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  await page.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sync started." })).toBeVisible();

  await page.getByRole("button", { name: "Disconnect" }).click();
  const confirm = page.getByRole("dialog", { name: "Disconnect Google Calendar?" });
  await confirm.getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByRole("button", { name: "Connect Google Calendar" })).toBeVisible();
  await snap(page, info, "calendar-disconnected");
});
