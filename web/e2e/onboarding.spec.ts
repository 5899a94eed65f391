import { expect, test } from "@playwright/test";

import { expectAccessible, snap } from "./helpers";

test("a new company creates its CRM with the wizard and lands signed in", async ({ page, request, baseURL }, info) => {
  const suffix = Date.now().toString(36);
  const name = `Acme ${suffix}`;
  const email = `ann-${suffix}@example.com`;

  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Create a CRM" }).click();
  await expect(page.getByRole("heading", { name: "Create a CRM" })).toBeVisible();
  await expectAccessible(page, "the wizard");

  // Step 1: the company. A name outside Latin letters is refused by the API, on the field.
  await page.getByLabel("CRM name").fill("Société ☃");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Your name").fill("Ann Admin");
  await page.getByLabel("Your email").fill(email);
  await page.getByLabel("Password").fill("a-long-password");
  await page.getByRole("button", { name: "Add a colleague" }).click();
  const colleague = page.getByRole("group", { name: "Colleague 1" });
  await colleague.getByLabel("Name").fill("Max Manager");
  await colleague.getByLabel("Email").fill(`max-${suffix}@example.com`);
  await colleague.getByLabel("Extension").fill("101");
  await snap(page, info, "wizard-admin");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create the CRM" }).click();

  // The error names `name`: the wizard goes back to step 1 and shows it there.
  const crmName = page.getByLabel("CRM name");
  await expect(crmName).toHaveAttribute("aria-invalid", "true");
  await snap(page, info, "wizard-name-error");
  await crmName.fill(name);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("PBX API key").fill("key-123");
  await page.getByLabel("PBX API secret").fill("secret-456");
  await page.getByRole("button", { name: "Create the CRM" }).click();

  await expect(page.getByRole("heading", { name: "Welcome, Ann Admin" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Clients" })).toBeVisible(); // the dashboard
  await snap(page, info, "wizard-done");

  // The API has the CRM with its colleague.
  const slug = name.toLowerCase().replace(/ /g, "-");
  const login = await request.post(`${baseURL}/v1/auth/login`, { data: { crm: slug, email, password: "a-long-password" } });
  expect(login.status()).toBe(200);
  const { access_token } = (await login.json()) as { access_token: string };
  const users = await request.get(`${baseURL}/v1/users`, { headers: { Authorization: `Bearer ${access_token}` } });
  const names = ((await users.json()) as { items: { name: string }[] }).items.map((u) => u.name).sort();
  expect(names).toEqual(["Ann Admin", "Max Manager"]);
});

test("an invited colleague accepts the invitation from its link", async ({ page, request, baseURL }, info) => {
  const login = await request.post(`${baseURL}/v1/auth/login`, {
    data: { crm: "demo", email: "demo@example.com", password: "demo-password" },
  });
  const { access_token } = (await login.json()) as { access_token: string };
  const link = await request.post(`${baseURL}/v1/invitation-links`, {
    data: {},
    headers: { Authorization: `Bearer ${access_token}` },
  });
  expect(link.status()).toBe(201);
  const { url } = (await link.json()) as { url: string };
  const email = `zoe-${Date.now().toString(36)}@example.com`;

  await page.goto(new URL(url).pathname + new URL(url).search);
  await expect(page.getByRole("heading", { name: "Join your team's CRM" })).toBeVisible();
  await expectAccessible(page, "the invitation page");
  await page.getByLabel("Your name").fill("Zoe Newcomer");
  await page.getByLabel("Your email").fill(email);
  await page.getByLabel("Password").fill("zoe-long-password");
  await page.getByRole("button", { name: "Accept the invitation" }).click();
  await expect(page.getByRole("status")).toContainText("Welcome aboard, Zoe Newcomer!");
  await snap(page, info, "invitation-accepted");

  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page.getByLabel("CRM name").fill("demo");
  await page.getByLabel("Password").fill("zoe-long-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Zoe Newcomer" })).toBeVisible();
});
