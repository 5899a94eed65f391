import { expect as baseExpect, test, type APIRequestContext, type Page } from "@playwright/test";

import { DEMO, expectAccessible, signIn, snap } from "./helpers";

// The local stack shares two cores with the browser: give its reads room.
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

test("the working-hours editor saves a day-night-48 cycle and the API returns it", async ({ page, request }, info) => {
  const auth = { Authorization: `Bearer ${await token(request)}` };
  await open(page, "/settings/working-hours");
  await expect(page.getByRole("heading", { name: "Working hours", level: 1 })).toBeVisible();
  const form = page.getByRole("form", { name: "Working hours" });
  await expect(form).toBeVisible();
  await expectAccessible(page, "the working-hours editor");
  await snap(page, info, "working-hours-before");

  await form.getByRole("button", { name: "Day-night-48 (4-day cycle)" }).click();
  await expect(form.getByLabel("Cycle length (days)")).toHaveValue("4");
  await form.getByLabel("Start date (day 1 of the cycle)").fill("2026-11-23");
  // An exception: a day off on 2026-12-25.
  await form.getByRole("button", { name: "Add an exception" }).click();
  await form.getByRole("group", { name: "Exception 1" }).getByLabel("Date").fill("2026-12-25");
  const preview = page.getByRole("region", { name: "The next 14 days" });
  await expect(preview.getByText("20:00–08:00 (next day)").first()).toBeVisible();
  await form.getByRole("button", { name: "Save the working hours" }).click();
  await expect(form.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await snap(page, info, "working-hours-day-night-48");

  const stored = await request.get("/v1/me/working-hours", { headers: auth });
  expect(stored.ok()).toBe(true);
  expect(await stored.json()).toMatchObject({
    period_days: 4,
    start_date: "2026-11-23",
    shifts: [{ day: 0, start: "08:00", end: "20:00" }, { day: 1, start: "20:00", end: "08:00" }],
    exceptions: [{ date: "2026-12-25", shifts: [] }],
  });

  // A reload shows what the API keeps.
  await page.reload();
  await expect(page.getByRole("form", { name: "Working hours" }).getByLabel("Cycle length (days)")).toHaveValue("4");
  await expect(page.getByRole("form", { name: "Working hours" }).getByRole("group", { name: "Shift 2" }).getByLabel("Start")).toHaveValue("20:00");

  // A field error from the API lands on the field it names: two overlapping shifts of day 1.
  await form.getByRole("button", { name: "Add a shift", exact: true }).click();
  const third = form.getByRole("group", { name: "Shift 3" });
  await third.getByLabel("Start").fill("10:00");
  await third.getByLabel("End").fill("12:00");
  await form.getByRole("button", { name: "Save the working hours" }).click();
  await expect(third.getByText("overlaps an earlier shift of the same day")).toBeVisible();
  await snap(page, info, "working-hours-field-error");

  // Leave the demo user always available, as the other tests expect.
  await page.getByRole("button", { name: "Remove the working hours" }).click();
  await expect(page.getByText("Working hours removed: always available.")).toBeVisible();
  expect((await request.get("/v1/me/working-hours", { headers: auth })).status()).toBe(404);
});

test("the profile's language switches the interface", async ({ page, request }, info) => {
  const auth = { Authorization: `Bearer ${await token(request)}` };
  await open(page, "/settings/profile");
  const main = page.getByRole("main");
  await expect(main.getByRole("heading", { name: "Profile", level: 1 })).toBeVisible();
  await expect(main.getByText(DEMO.email)).toBeVisible();
  await expectAccessible(page, "the profile");

  // The avatar goes straight to storage through the API's presigned POST.
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "base64",
  );
  await main.getByLabel("Upload a new picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: png });
  await expect(main.getByText("Picture uploaded.")).toBeVisible();
  await expect(main.getByRole("img", { name: "Your picture" })).toBeVisible();
  await expect.poll(async () => {
    const url = ((await (await request.get("/v1/me", { headers: auth })).json()) as { avatar_url: string | null }).avatar_url;
    return url ? (await request.get(url)).status() : 0;
  }).toBe(200);
  await snap(page, info, "profile-en");

  await main.getByLabel("Language").selectOption("fr");
  await main.getByRole("button", { name: "Save" }).click();
  await expect(main.getByRole("heading", { name: "Profil", level: 1 })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Rubriques des paramètres" }).getByRole("link", { name: "Horaires de travail" })).toBeVisible();
  const me = await request.get("/v1/me", { headers: auth });
  expect(((await me.json()) as { language: string }).language).toBe("fr");
  await snap(page, info, "profile-fr");

  // Back to English for the other tests.
  await main.getByLabel("Langue").selectOption("en");
  await main.getByRole("button", { name: "Enregistrer" }).click();
  await expect(main.getByRole("heading", { name: "Profile", level: 1 })).toBeVisible();
  await expect.poll(async () => ((await (await request.get("/v1/me", { headers: auth })).json()) as { language: string }).language).toBe("en");
});

test("company currencies are edited, and the admin sections pass axe", async ({ page, request }, info) => {
  const auth = { Authorization: `Bearer ${await token(request)}` };
  const currencies = async () =>
    ((await (await request.get("/v1/settings/company", { headers: auth })).json()) as { currencies: { code: string; rate: string }[] }).currencies;
  const before = await currencies();
  await open(page, "/settings/company");
  const form = page.getByRole("form", { name: "Company" });
  await expect(form.getByLabel("Company name")).not.toHaveValue("");
  await expectAccessible(page, "the company settings");

  await form.getByRole("button", { name: "Add a currency" }).click();
  const n = before.length + 1;
  await form.getByLabel(`Currency ${n}`, { exact: true }).fill("chf");
  await form.getByLabel(`Rate of currency ${n}`).fill("1,05");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  expect(await currencies()).toEqual([...before, { code: "CHF", rate: "1.05" }]);
  await expect(form.getByText(/1 CHF = 1\.05/)).toBeVisible();
  await snap(page, info, "company-currencies");

  // A bad rate: the API's error on that field.
  await form.getByLabel(`Rate of currency ${n}`).fill("abc");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByLabel(`Rate of currency ${n}`)).toHaveAttribute("aria-invalid", "true");
  await snap(page, info, "company-rate-error");

  // Remove it again: the demo CRM's rates as they were.
  await form.getByRole("button", { name: `Remove currency ${n}` }).click();
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  expect(await currencies()).toEqual(before);

  for (const [path, heading, name] of [
    ["/settings/telephony", "Telephony", "telephony"],
    ["/settings/properties", "Custom properties", "properties"],
    ["/settings/source-tags", "Source tags", "source-tags"],
  ] as const) {
    await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: heading }).click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "Loading…" })).toHaveCount(0);
    await expectAccessible(page, `the ${name} settings`);
    await snap(page, info, name);
  }
  // The PBX keys are never shown back; the webhook URL is this origin's.
  await page.getByRole("link", { name: "Telephony" }).click();
  await expect(page.getByLabel("New API secret")).toHaveValue("");
  await expect(page.getByRole("textbox", { name: "Notifications about calls" })).toHaveValue(/\/v1\/webhooks\/zadarma\/demo$/);
});
