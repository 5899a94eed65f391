import { expect, test, type Page } from "@playwright/test";

import { bearer, newMember, token } from "./contacts-api";
import { expectAccessible, signIn, snap } from "./helpers";

/** A call left going on by another test (its end never sent) keeps its panel: out of the way. */
async function hideCallPanel(page: Page) {
  const hide = page.getByRole("complementary").getByRole("button", { name: "Hide" });
  if (await hide.isVisible()) await hide.click();
}

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("a lead created in Unsorted is taken by a colleague, the late taker is told who, then converted", async ({
  page,
  browser,
  request,
  baseURL,
}, info) => {
  const name = `Pool Lead ${unique()}`;
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Leads" }).click();
  await expect(page.getByRole("heading", { name: "Leads", level: 1 })).toBeVisible();
  await page.getByRole("tab", { name: "Unsorted" }).click();
  await expect(page.getByRole("tab", { name: "Unsorted" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tab", { name: "All" })).toBeVisible(); // the admin may see all leads
  await page.getByRole("button", { name: "New lead" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await expect(page.getByLabel("Put it in Unsorted (nobody responsible)")).toBeChecked();
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: name })).toBeVisible();
  await page.goto(`/leads?scope=unsorted&q=${name.split(" ").at(-1)}`);
  await hideCallPanel(page);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toBeVisible();
  await expect(row.getByRole("cell", { name: "Nobody (unsorted)" })).toBeVisible();
  await expectAccessible(page, "the leads list");
  await snap(page, info, "leads-unsorted");

  // This list stays as it is (the lost race needs a stale view): its refetches wait.
  await page.route("**/v1/leads?**", async (route) => {
    await new Promise((done) => setTimeout(done, 8_000));
    await route.continue().catch(() => {});
  });
  // A colleague takes it first, in their own browser.
  const member = await newMember(request, baseURL!, `Taker ${unique()}`);
  const other = await browser.newContext({ baseURL: baseURL! });
  const theirs = await other.newPage();
  await signIn(theirs, member);
  await expect(theirs.getByRole("navigation", { name: "Main" })).toBeVisible();
  await theirs.goto("/leads?scope=unsorted");
  await theirs.getByRole("button", { name: `Take ${name}` }).click();
  await expect(theirs.getByRole("status").filter({ hasText: `You took ${name}.` })).toBeVisible();
  await snap(theirs, info, "lead-taken");
  await other.close();

  // The demo user's list still offers it: taking it now says who won.
  await page.getByRole("button", { name: `Take ${name}` }).click();
  await expect(page.getByRole("alert")).toHaveText(`Too late: ${member.name} took this lead first.`);
  await snap(page, info, "lead-lost-race");
  await page.unrouteAll({ behavior: "ignoreErrors" });

  // Converted to a client (same id) from the All tab.
  await page.getByRole("tab", { name: "All" }).click();
  await hideCallPanel(page);
  await page.getByRole("button", { name: `Make a client: ${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `${name} is now a client.` })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Clients" }).click();
  await page.getByRole("tab", { name: "All clients" }).click();
  await page.getByText("Filters", { exact: true }).click();
  await page.getByLabel("Find in this list").fill(name.split(" ").at(-1)!);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByRole("link", { name })).toBeVisible();
  await expectAccessible(page, "the clients list with filters");
  await snap(page, info, "clients-filtered");
});

test("bulk tagging selected clients reports each one", async ({ page, request, baseURL }, info) => {
  const access = await token(request, baseURL!);
  const tag = `bulk${unique()}`;
  const names = [`Bulk A ${unique()}`, `Bulk B ${unique()}`];
  for (const n of names) {
    const made = await request.post(`${baseURL}/v1/clients`, { data: { name: n }, headers: bearer(access) });
    expect(made.status()).toBe(201);
  }
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto("/clients");
  for (const n of names) await page.getByRole("checkbox", { name: `Select ${n}` }).check();
  const bulk = page.getByRole("region", { name: "With the 2 selected" });
  await bulk.getByLabel("Tag").fill(tag);
  await bulk.getByRole("button", { name: "Apply" }).click();
  await expect(bulk.getByText("2 done, 0 failed.")).toBeVisible();
  await page.goto(`/clients?tag=${tag}`);
  for (const n of names) await expect(page.getByRole("link", { name: n })).toBeVisible();
  await snap(page, info, "clients-bulk-tagged");
});

test("the card: a note in the feed, a stale edit asks to reload", async ({ page, request, baseURL }, info) => {
  const access = await token(request, baseURL!);
  const name = `Card Client ${unique()}`;
  const made = await request.post(`${baseURL}/v1/clients`, {
    data: { name, phones: [{ phone: `+336${Math.floor(1e7 + Math.random() * 8e7)}`, type: "mobile" }] },
    headers: bearer(access),
  });
  const client = (await made.json()) as { id: string; version: number };
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(`/clients/${client.id}`);
  await expect(page.getByRole("heading", { name: new RegExp(name) })).toBeVisible();

  await page.getByRole("button", { name: "New note" }).click();
  await expect(page.getByLabel("Note", { exact: true })).toBeFocused();
  await page.getByLabel("Note", { exact: true }).fill("Called about the renewal");
  await page.getByRole("button", { name: "Add the note" }).click();
  const feed = page.getByRole("list", { name: "Activity" });
  await expect(feed.getByText("Called about the renewal")).toBeVisible();
  await expectAccessible(page, "the client card");
  await snap(page, info, "card-note");

  // An SMS from the card: sent to the contact's number, and in the feed.
  await page.getByRole("group", { name: "Actions" }).getByRole("button", { name: "SMS" }).click();
  await page.getByLabel("Text", { exact: true }).fill("Your renewal quote is ready.");
  await expectAccessible(page, "the card's SMS form");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "SMS sent to +336" })).toBeVisible();
  await expect(feed.getByText("Your renewal quote is ready.")).toBeVisible();

  // A field error is shown on the field the API names.
  await page.getByRole("region", { name: "Details" }).getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Phone 1", { exact: true }).fill("not a phone");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByLabel("Phone 1", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await page.getByRole("button", { name: "Cancel" }).click();

  // Someone else saves while the form is open: saving says so and offers to reload.
  await page.getByRole("region", { name: "Details" }).getByRole("button", { name: "Edit" }).click();
  const changed = await request.patch(`${baseURL}/v1/clients/${client.id}`, {
    data: { version: client.version, name: `${name} Renamed` },
    headers: bearer(access),
  });
  expect(changed.status()).toBe(200);
  await page.getByLabel("Address").fill("1 rue de la Paix");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "changed by someone else" })).toBeVisible();
  await snap(page, info, "card-conflict");
  await page.getByRole("button", { name: "Reload" }).click();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(`${name} Renamed`);
  await page.getByLabel("Address").fill("1 rue de la Paix");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("1 rue de la Paix")).toBeVisible();
  await expect(page.getByRole("heading", { name: new RegExp(`${name} Renamed`) })).toBeVisible();
});

test("the demo call's recording plays on Acme Dental's card", async ({ page, request, baseURL }, info) => {
  const access = await token(request, baseURL!);
  const found = await request.get(`${baseURL}/v1/clients?q=Acme%20Dental&scope=all`, { headers: bearer(access) });
  const acme = ((await found.json()) as { items: { id: string; name: string }[] }).items.find((c) => c.name === "Acme Dental")!;
  // The scripted call gets its recording a few seconds after start-up.
  await expect
    .poll(
      async () => {
        const feed = await request.get(`${baseURL}/v1/clients/${acme.id}/feed?limit=50`, { headers: bearer(access) });
        const items = ((await feed.json()) as { items: { call?: { has_recording: boolean } | null }[] }).items;
        return items.some((i) => i.call?.has_recording);
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(`/clients/${acme.id}`);
  await page.getByRole("button", { name: "Load the recording" }).first().click();
  const audio = page.getByLabel("Recording of the call").first();
  await expect(audio).toBeVisible();
  await audio.evaluate((el: HTMLAudioElement) => {
    el.muted = true;
    return el.play();
  });
  await expect.poll(() => audio.evaluate((el: HTMLAudioElement) => el.currentTime)).toBeGreaterThan(0);
  await page.getByText("Show the transcript").first().click();
  await expectAccessible(page, "the card with a recording");
  await snap(page, info, "card-recording");
});
