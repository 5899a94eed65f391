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

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

type Telephony = Record<
  | "auto_lead_incoming_calls"
  | "auto_lead_outgoing_calls"
  | "auto_lead_incoming_sms"
  | "auto_lead_outgoing_sms"
  | "dial_without_country_code"
  | "autodial_all_numbers"
  | "sms_all_numbers"
  | "pbx_keys_set",
  boolean
> & { version: number; pbx_timezone: string };

test("the telephony settings are saved: PBX keys written but never shown back, switches kept", async ({ page, request }, info) => {
  const auth = { Authorization: `Bearer ${await token(request)}` };
  const read = async () => (await (await request.get("/v1/settings/telephony", { headers: auth })).json()) as Telephony;
  const before = await read();
  const incomingSms = "Incoming SMS";
  const dialling = "Complete numbers dialled without a country code with the company's country";
  try {
    await open(page, "/settings/telephony");
    const form = page.getByRole("form", { name: "Telephony" });
    await expect(form.getByRole("checkbox", { name: incomingSms })).toBeChecked({ checked: before.auto_lead_incoming_sms });

    // Keys the PBX refuses: the error lands on the key field and nothing is kept.
    await form.getByLabel("New API key").fill(`wrong-key-${unique()}`);
    await form.getByLabel("New API secret").fill("wrong-secret");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByLabel("New API key")).toHaveAttribute("aria-invalid", "true");
    await snap(page, info, "telephony-keys-refused");

    // The demo PBX account's keys (the local fake PBX checks them), a switch and the dialling rule.
    await form.getByLabel("New API key").fill("demo-key");
    await form.getByLabel("New API secret").fill("demo-secret");
    await form.getByRole("checkbox", { name: incomingSms }).setChecked(!before.auto_lead_incoming_sms);
    await form.getByRole("checkbox", { name: dialling }).setChecked(!before.dial_without_country_code);
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await expect(form.getByText("API keys are stored. They are never shown again")).toBeVisible();
    await expect(form.getByLabel("New API key")).toHaveValue("");
    await expect(form.getByLabel("New API secret")).toHaveValue("");
    await expectAccessible(page, "the telephony settings (saved)");
    await snap(page, info, "telephony-saved");

    const raw = await (await request.get("/v1/settings/telephony", { headers: auth })).text();
    expect(raw).not.toContain("demo-secret");
    expect(raw).not.toContain("demo-key");
    expect(JSON.parse(raw)).toMatchObject({
      pbx_keys_set: true,
      auto_lead_incoming_sms: !before.auto_lead_incoming_sms,
      dial_without_country_code: !before.dial_without_country_code,
      auto_lead_incoming_calls: before.auto_lead_incoming_calls,
    });

    await page.reload();
    const again = page.getByRole("form", { name: "Telephony" });
    await expect(again.getByRole("checkbox", { name: incomingSms })).toBeChecked({ checked: !before.auto_lead_incoming_sms });
    await expect(again.getByRole("checkbox", { name: dialling })).toBeChecked({ checked: !before.dial_without_country_code });
    await expect(again.getByLabel("New API key")).toHaveValue("");
    await expect(again.getByText("API keys are stored.")).toBeVisible();
    await snap(page, info, "telephony-reloaded");
  } finally {
    // The switches as they were, for the other tests (the keys are the demo ones again).
    const now = await read();
    await request.put("/v1/settings/telephony", {
      headers: auth,
      data: {
        version: now.version,
        auto_lead_incoming_sms: before.auto_lead_incoming_sms,
        dial_without_country_code: before.dial_without_country_code,
      },
    });
  }
});

test("custom properties are created, edited and deleted", async ({ page, request }, info) => {
  const auth = { Authorization: `Bearer ${await token(request)}` };
  type Property = { id: string; key: string; title: string; kind: string; options: string[] };
  const find = async (key: string) =>
    ((await (await request.get("/v1/properties?limit=100", { headers: auth })).json()) as { items: Property[] }).items.find((p) => p.key === key);
  const run = unique();
  const key = `e2e_${run}`;
  const title = `Contract level ${run}`;
  const renamed = `Support level ${run}`;
  await open(page, "/settings/properties");
  await expect(page.getByRole("heading", { name: "Custom properties", level: 1 })).toBeVisible();

  const create = page.getByRole("form", { name: "New property" });
  await create.getByLabel("Title").fill(title);
  await create.getByLabel("Key").fill(key);
  await create.getByLabel("Type").selectOption({ label: "Choice from a list" });
  await create.getByLabel("Options").fill("Bronze\nSilver\n");
  await create.getByRole("button", { name: "Add the property" }).click();
  const row = page.getByRole("row", { name: new RegExp(key) });
  await expect(row).toContainText(title);
  await expect(row).toContainText("Bronze, Silver");
  await expect(create.getByLabel("Title")).toHaveValue("");
  await expect.poll(async () => (await find(key))?.options).toEqual(["Bronze", "Silver"]);
  await expectAccessible(page, "the custom properties");
  await snap(page, info, "properties-created");

  await row.getByRole("button", { name: `Edit ${title}` }).click();
  const edit = page.getByRole("form", { name: `Edit ${title}` });
  await edit.getByLabel("Title").fill(renamed);
  await edit.getByLabel("Options").fill("Bronze\nSilver\nGold");
  await expectAccessible(page, "a custom property being edited");
  await snap(page, info, "properties-edit");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText(renamed);
  await expect(row).toContainText("Bronze, Silver, Gold");
  await expect.poll(async () => {
    const p = await find(key);
    return p && { title: p.title, options: p.options, kind: p.kind };
  }).toEqual({ title: renamed, options: ["Bronze", "Silver", "Gold"], kind: "select" });

  await row.getByRole("button", { name: `Delete ${renamed}` }).click();
  const confirm = row.getByRole("group", { name: `Delete ${renamed}` });
  await expect(confirm).toContainText("Only a property no contact has a value for can be deleted.");
  await snap(page, info, "properties-delete");
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("row", { name: new RegExp(key) })).toHaveCount(0);
  await expect.poll(async () => await find(key)).toBeUndefined();
});

test("source tags are created, renamed and deleted", async ({ page, request }, info) => {
  const auth = { Authorization: `Bearer ${await token(request)}` };
  type Tag = { id: string; param: string; value: string; display_value: string };
  const find = async (value: string) =>
    ((await (await request.get("/v1/source-tags?limit=100", { headers: auth })).json()) as { items: Tag[] }).items.find((t) => t.value === value);
  const run = unique();
  const value = `e2e-fair-${run}`;
  const shown = `Trade fair ${run}`;
  const renamed = `Spring fair ${run}`;
  await open(page, "/settings/source-tags");
  await expect(page.getByRole("heading", { name: "Source tags", level: 1 })).toBeVisible();

  const create = page.getByRole("form", { name: "New source tag" });
  await create.getByLabel("Kind").selectOption({ label: "UTM campaign" });
  await create.getByLabel("Value").fill(value);
  await create.getByLabel("Shown as").fill(shown);
  await create.getByRole("button", { name: "Add the source tag" }).click();
  const row = page.getByRole("row", { name: new RegExp(value) });
  await expect(row.getByRole("rowheader")).toHaveText(shown);
  await expect(row).toContainText("UTM campaign");
  await expect.poll(async () => {
    const tag = await find(value);
    return tag && { param: tag.param, display_value: tag.display_value };
  }).toEqual({ param: "utm_campaign", display_value: shown });
  await expectAccessible(page, "the source tags");
  await snap(page, info, "source-tags-created");

  await row.getByRole("button", { name: `Rename ${shown}` }).click();
  const rename = row.getByRole("form", { name: `Rename ${shown}` });
  await rename.getByLabel("Shown as").fill(renamed);
  await expectAccessible(page, "a source tag being renamed");
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(rename).toBeHidden();
  await expect(row.getByRole("rowheader")).toHaveText(renamed);
  await expect.poll(async () => (await find(value))?.display_value).toBe(renamed);
  await snap(page, info, "source-tags-renamed");

  await row.getByRole("button", { name: `Delete ${renamed}` }).click();
  const confirm = row.getByRole("group", { name: `Delete ${renamed}` });
  await expect(confirm).toContainText("Only a tag no contact carries can be deleted.");
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("row", { name: new RegExp(value) })).toHaveCount(0);
  await expect.poll(async () => await find(value)).toBeUndefined();
});

/** A date `days` after today (UTC), as YYYY-MM-DD. */
const isoIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

test("a weekly working-hours schedule is saved with a day off and an exception, as its preview shows", async ({ page, request }, info) => {
  const auth = { Authorization: `Bearer ${await token(request)}` };
  const original = await request.get("/v1/me/working-hours", { headers: auth });
  const kept = original.ok() ? ((await original.json()) as Record<string, unknown>) : null;
  // An exception on a Saturday (off in the week) within the preview's 14 days: 12:00–16:00 at work.
  let offset = 3;
  while (new Date(`${isoIn(offset)}T00:00:00Z`).getUTCDay() !== 6) offset += 1;
  const saturday = isoIn(offset);
  try {
    await open(page, "/settings/working-hours");
    const form = page.getByRole("form", { name: "Working hours" });
    await form.getByRole("button", { name: "Weekdays 09:00–17:00" }).click();
    await expect(form.getByLabel("Cycle length (days)")).toHaveCount(0); // weekly: no cycle length
    await expect(form.getByRole("group", { name: /^Shift \d+$/ })).toHaveCount(5);
    // Tuesday 10:00–18:00; Wednesday off (its shift removed).
    const tuesday = form.getByRole("group", { name: "Shift 2" });
    await expect(tuesday.getByLabel("Day")).toHaveValue("1");
    await tuesday.getByLabel("Start").fill("10:00");
    await tuesday.getByLabel("End").fill("18:00");
    await expect(form.getByRole("group", { name: "Shift 3" }).getByLabel("Day")).toHaveValue("2");
    await form.getByRole("button", { name: "Remove shift 3" }).click();
    await expect(form.getByRole("group", { name: /^Shift \d+$/ })).toHaveCount(4);
    await form.getByRole("button", { name: "Add an exception" }).click();
    const exception = form.getByRole("group", { name: "Exception 1", exact: true });
    await exception.getByLabel("Date").fill(saturday);
    await form.getByRole("button", { name: "Add a shift to exception 1" }).click();
    const extra = form.getByRole("group", { name: "Exception 1, shift 1" });
    await extra.getByLabel("Start").fill("12:00");
    await extra.getByLabel("End").fill("16:00");

    const preview = page.getByRole("region", { name: "The next 14 days" });
    const day = (name: RegExp) => preview.getByRole("listitem").filter({ hasText: name });
    await expect(day(/^Tue/).first()).toContainText("10:00–18:00");
    await expect(day(/^Wed/).first()).toContainText("Off");
    await expect(day(/^Mon/).first()).toContainText("09:00–17:00");
    const exceptionDay = preview.getByRole("listitem").filter({ has: page.locator(`time[datetime="${saturday}"]`) });
    await expect(exceptionDay).toContainText("exception");
    await expect(exceptionDay).toContainText("12:00–16:00");
    await expect(day(/^Sun/).first()).toContainText("Off");
    await expectAccessible(page, "the weekly working-hours editor");
    await form.getByRole("button", { name: "Save the working hours" }).click();
    await expect(form.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await snap(page, info, "working-hours-weekly");

    const stored = await request.get("/v1/me/working-hours", { headers: auth });
    expect(stored.ok()).toBe(true);
    const body = (await stored.json()) as { period_days: number; shifts: { day: number }[]; exceptions: unknown[] };
    expect(body).toMatchObject({
      period_days: 7,
      shifts: [
        { day: 0, start: "09:00", end: "17:00" },
        { day: 1, start: "10:00", end: "18:00" },
        { day: 3, start: "09:00", end: "17:00" },
        { day: 4, start: "09:00", end: "17:00" },
      ],
      exceptions: [{ date: saturday, shifts: [{ start: "12:00", end: "16:00" }] }],
    });

    await page.reload();
    const again = page.getByRole("form", { name: "Working hours" });
    await expect(again.getByRole("group", { name: "Shift 2" }).getByLabel("Start")).toHaveValue("10:00");
    await expect(again.getByRole("group", { name: "Exception 1", exact: true }).getByLabel("Date")).toHaveValue(saturday);
    await expect(page.getByRole("region", { name: "The next 14 days" }).getByRole("listitem").filter({ hasText: /^Wed/ }).first()).toContainText("Off");
    await snap(page, info, "working-hours-weekly-reloaded");
  } finally {
    // The demo user's hours as they were (none: always available, as the other tests expect).
    if (kept) await request.put("/v1/me/working-hours", { headers: auth, data: { ...kept, version: undefined } });
    else await request.delete("/v1/me/working-hours", { headers: auth });
  }
});
