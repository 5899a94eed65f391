import { expect, test } from "@playwright/test";

import { DEMO, expectAccessible, signIn, snap } from "./helpers";

test.afterEach(async ({ request, baseURL }) => {
  // The demo user's language is in its profile: leave it in English for the next test.
  const login = await request.post(`${baseURL}/v1/auth/login`, {
    data: { crm: DEMO.crm, email: DEMO.email, password: DEMO.password },
  });
  const { access_token } = (await login.json()) as { access_token: string };
  await request.patch(`${baseURL}/v1/me`, { data: { language: "en" }, headers: { Authorization: `Bearer ${access_token}` } });
});

test("the demo user signs in, sees the shell, switches to French and signs out", async ({ page }, info) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expectAccessible(page, "the sign-in page");
  await snap(page, info, "sign-in");

  await signIn(page);
  await expect(page.getByRole("heading", { name: `Welcome, ${DEMO.name}` })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Home" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("region", { name: "Clients" })).toBeVisible(); // the dashboard
  await expectAccessible(page, "the app shell");
  await snap(page, info, "shell");

  const menu = page.getByRole("button", { name: `Account menu for ${DEMO.name}` });
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expectAccessible(page, "the open account menu");
  const saved = page.waitForResponse((r) => r.url().endsWith("/v1/me") && r.request().method() === "PATCH");
  await page.getByLabel("Language").selectOption("fr");
  expect((await saved).status()).toBe(200);
  await expect(page.getByRole("heading", { name: `Bienvenue, ${DEMO.name}` })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Principale" }).getByRole("link", { name: "Accueil" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await snap(page, info, "shell-fr");

  // The choice is in the profile: a reload (or another device) keeps French.
  await page.reload();
  await expect(page.getByRole("heading", { name: `Bienvenue, ${DEMO.name}` })).toBeVisible();

  await page.getByRole("button", { name: `Menu du compte de ${DEMO.name}` }).click();
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
  // The CRM is remembered for the next sign-in.
  await expect(page.getByLabel("Nom du CRM")).toHaveValue(DEMO.crm);
  // Signed out for real: the app's screens send back to sign-in.
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("a wrong password shows the error and keeps the user on the sign-in page", async ({ page }, info) => {
  await signIn(page, { ...DEMO, password: "not-the-password" });
  await expect(page.getByRole("alert")).toHaveText("The CRM name, email or password is not right.");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expectAccessible(page, "the sign-in page with an error");
  await snap(page, info, "wrong-password");

  // A field the API names shows its message on that field.
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Sign in" }).click();
  const email = page.getByLabel("Email");
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toBeFocused();
  await snap(page, info, "field-error");
});

test("an expired access token is refreshed silently", async ({ page }, info) => {
  await signIn(page);
  await expect(page.getByRole("heading", { name: `Welcome, ${DEMO.name}` })).toBeVisible();
  // Spoil the stored access token: the next call gets a 401, the client refreshes and retries.
  await page.evaluate(() => {
    const session = JSON.parse(localStorage.getItem("crm.session")!) as { accessToken: string };
    localStorage.setItem("crm.session", JSON.stringify({ ...session, accessToken: "expired.token.value" }));
  });
  const refreshed = page.waitForResponse((r) => r.url().endsWith("/v1/auth/refresh"));
  await page.reload();
  expect((await refreshed).status()).toBe(200);
  await expect(page.getByRole("heading", { name: `Welcome, ${DEMO.name}` })).toBeVisible();
  await snap(page, info, "refreshed");
});
