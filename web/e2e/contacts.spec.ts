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

const randomPhone = () => `+336${Math.floor(1e7 + Math.random() * 8e7)}`;

test("a lead created into My leads: the create form, the lead card, the click-to-call, then closed as poor quality", async ({
  page,
}, info) => {
  const name = `Mine Lead ${unique()}`;
  const phone = randomPhone();
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto("/leads");
  await hideCallPanel(page);
  await expect(page.getByRole("tab", { name: "My leads" })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("button", { name: "New lead" }).click();
  const form = page.getByRole("region", { name: "New lead" });
  await expect(form.getByLabel("Put it in Unsorted (nobody responsible)")).not.toBeChecked();
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Phone", { exact: true }).fill(phone);
  await expectAccessible(page, "the create-lead form");
  await snap(page, info, "lead-create-form");
  await form.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: name })).toBeVisible({ timeout: 15_000 });

  // In My leads, with a click-to-call phone.
  await page.goto(`/leads?q=${name.split(" ").at(-1)}`);
  await hideCallPanel(page);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row.getByRole("button", { name: `Call ${phone}` })).toBeVisible();
  await expect(row.getByRole("cell", { name: "Not processed" })).toBeVisible();

  // The lead's card.
  await row.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name: new RegExp(name), level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "Details" }).getByRole("button", { name: `Call ${phone}` })).toBeVisible();
  await expect(page.getByRole("list", { name: "Activity" }).getByText("Record created.")).toBeVisible();
  await expectAccessible(page, "a lead card");
  await snap(page, info, "lead-card");

  // Closed as poor quality from the list: it leaves the list.
  await page.goto(`/leads?q=${name.split(" ").at(-1)}`);
  await hideCallPanel(page);
  await page.getByRole("button", { name: `Poor quality: ${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `${name} was closed as poor quality.` })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("row", { name: new RegExp(name) })).toHaveCount(0, { timeout: 15_000 });
  await snap(page, info, "lead-closed-poor");
});

test("notes: one's own note is edited, then deleted", async ({ page, request, baseURL }, info) => {
  const access = await token(request, baseURL!);
  const made = await request.post(`${baseURL}/v1/clients`, { data: { name: `Note Client ${unique()}` }, headers: bearer(access) });
  expect(made.status()).toBe(201);
  const client = (await made.json()) as { id: string; name: string };
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(`/clients/${client.id}`);
  await hideCallPanel(page);
  await expect(page.getByRole("heading", { name: new RegExp(client.name), level: 1 })).toBeVisible();
  const first = `First draft ${unique()}`;
  const second = `Second thought ${unique()}`;
  await page.getByLabel("Note", { exact: true }).fill(first);
  await page.getByRole("button", { name: "Add the note" }).click();
  const feed = page.getByRole("list", { name: "Activity" });
  const item = feed.getByRole("listitem").filter({ hasText: first });
  await expect(item).toBeVisible();

  await item.getByRole("button", { name: "Edit" }).click();
  const box = feed.getByRole("textbox", { name: "Edit note" });
  await expect(box).toHaveValue(first);
  await box.fill(second);
  await feed.getByRole("button", { name: "Save", exact: true }).click();
  const edited = feed.getByRole("listitem").filter({ hasText: second });
  await expect(edited).toBeVisible();
  await expect(edited.getByText("(edited)")).toBeVisible();
  await expect(feed.getByText(first)).toHaveCount(0);
  await snap(page, info, "note-edited");

  page.once("dialog", (dialog) => void dialog.accept());
  await edited.getByRole("button", { name: "Delete" }).click();
  await expect(feed.getByText(second)).toHaveCount(0, { timeout: 15_000 });
  await snap(page, info, "note-deleted");
});

test("bulk untag, assign and delete on the clients list, as an admin", async ({ page, request, baseURL }, info) => {
  const access = await token(request, baseURL!);
  const keep = `keep${unique()}`;
  const drop = `drop${unique()}`;
  const names = [`Bulk C ${unique()}`, `Bulk D ${unique()}`];
  for (const n of names) {
    const made = await request.post(`${baseURL}/v1/clients`, { data: { name: n, tags: [keep, drop] }, headers: bearer(access) });
    expect(made.status()).toBe(201);
  }
  const member = await newMember(request, baseURL!, `Assignee ${unique()}`);
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

  // Untag: the tag leaves both.
  await page.goto(`/clients?tag=${drop}`);
  await hideCallPanel(page);
  for (const n of names) await page.getByRole("checkbox", { name: `Select ${n}` }).check();
  const bulk = page.getByRole("region", { name: "With the 2 selected" });
  await bulk.getByLabel("Action").selectOption({ label: "Remove a tag" });
  await bulk.getByLabel("Tag").fill(drop);
  await expectAccessible(page, "the bulk action bar");
  await snap(page, info, "bulk-bar");
  await bulk.getByRole("button", { name: "Apply" }).click();
  await expect(bulk.getByText("2 done, 0 failed.")).toBeVisible({ timeout: 30_000 });
  await page.goto(`/clients?tag=${drop}`);
  await expect(page.getByText("No clients match.")).toBeVisible({ timeout: 15_000 });

  // Assign to a colleague: they leave My clients and show the colleague in All clients.
  await page.goto(`/clients?tag=${keep}`);
  for (const n of names) await page.getByRole("checkbox", { name: `Select ${n}` }).check();
  await bulk.getByLabel("Action").selectOption({ label: "Assign to" });
  await bulk.getByLabel("User").selectOption({ label: member.name });
  await bulk.getByRole("button", { name: "Apply" }).click();
  await expect(bulk.getByText("2 done, 0 failed.")).toBeVisible({ timeout: 30_000 });
  await page.goto(`/clients?scope=all&tag=${keep}`);
  for (const n of names) {
    await expect(page.getByRole("row", { name: new RegExp(n) }).getByRole("cell", { name: member.name })).toBeVisible({ timeout: 15_000 });
  }
  await snap(page, info, "bulk-assigned");

  // Delete both, after the confirmation.
  for (const n of names) await page.getByRole("checkbox", { name: `Select ${n}` }).check();
  await bulk.getByLabel("Action").selectOption({ label: "Delete" });
  page.once("dialog", (dialog) => void dialog.accept());
  await bulk.getByRole("button", { name: "Apply" }).click();
  await expect(bulk.getByText("2 done, 0 failed.")).toBeVisible({ timeout: 30_000 });
  await page.goto(`/clients?scope=all&tag=${keep}`);
  await expect(page.getByText("No clients match.")).toBeVisible({ timeout: 15_000 });
  await snap(page, info, "bulk-deleted");
});

test("the card: new deal with its status and link, new task opened and completed, the edit form", async ({
  page,
  request,
  baseURL,
}, info) => {
  const access = await token(request, baseURL!);
  const made = await request.post(`${baseURL}/v1/clients`, {
    data: { name: `Deal Client ${unique()}`, phones: [{ phone: randomPhone(), type: "mobile" }] },
    headers: bearer(access),
  });
  expect(made.status()).toBe(201);
  const client = (await made.json()) as { id: string; name: string };
  const dealTitle = `Yearly plan ${unique()}`;
  const taskTitle = `Call back ${unique()}`;
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(`/clients/${client.id}`);
  await hideCallPanel(page);
  await expect(page.getByRole("heading", { name: new RegExp(client.name), level: 1 })).toBeVisible();
  const actions = page.getByRole("group", { name: "Actions" });

  // New deal: listed with its translated status and a link to its page.
  await actions.getByRole("button", { name: "New deal" }).click();
  const dealForm = page.getByRole("region", { name: "New deal" });
  await dealForm.getByLabel("Title").fill(dealTitle);
  await dealForm.getByLabel("Value").fill("1200");
  await dealForm.getByRole("button", { name: "Create the deal" }).click();
  const deals = page.getByRole("region", { name: "Deals" });
  const dealLink = deals.getByRole("link", { name: dealTitle });
  await expect(dealLink).toBeVisible({ timeout: 15_000 });
  const feed = page.getByRole("list", { name: "Activity" });
  await expect(feed.getByRole("link", { name: `Deal created: ${dealTitle}` })).toBeVisible();
  const dealId = decodeURIComponent((await dealLink.getAttribute("href"))!.split("/").at(-1)!);
  const moved = await request.patch(`${baseURL}/v1/deals/${dealId}`, { data: { status: "in_progress" }, headers: bearer(access) });
  expect(moved.status()).toBe(200);
  await page.reload();
  await expect(deals.getByRole("listitem").filter({ hasText: dealTitle })).toContainText("In progress");
  await expect(deals.getByText("in_progress")).toHaveCount(0);

  // New task: listed, opened in the task dialog, completed.
  await actions.getByRole("button", { name: "New task" }).click();
  const taskForm = page.getByRole("region", { name: "New task" });
  await taskForm.getByLabel("Title").fill(taskTitle);
  await taskForm.getByRole("button", { name: "Create the task" }).click();
  const tasks = page.getByRole("region", { name: "Tasks" });
  await expect(tasks.getByRole("button", { name: `Open the task ${taskTitle}` })).toBeVisible({ timeout: 15_000 });
  await expect(feed.getByText(`Task created: ${taskTitle}`)).toBeVisible();
  await expectAccessible(page, "the card with its deal and task");
  await snap(page, info, "card-deal-task");
  await tasks.getByRole("button", { name: `Open the task ${taskTitle}` }).click();
  const dialog = page.getByRole("dialog", { name: "Edit the task" });
  await expect(dialog.getByLabel("Title")).toHaveValue(taskTitle);
  await snap(page, info, "card-task-open");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await tasks.getByRole("button", { name: `Complete the task ${taskTitle}` }).click();
  await expect(tasks.getByRole("status")).toHaveText(`Task completed: ${taskTitle}.`, { timeout: 15_000 });
  await expect(tasks.getByRole("button", { name: `Open the task ${taskTitle}` })).toHaveCount(0, { timeout: 15_000 });
  await expect(feed.getByText(`Task completed: ${taskTitle}`)).toBeVisible({ timeout: 15_000 });

  // The deal link opens the deal's page.
  await dealLink.click();
  await expect(page).toHaveURL(new RegExp(`/deals/${dealId}$`));
  await expect(page.getByRole("heading", { name: dealTitle, level: 1 })).toBeVisible();

  // The edit form, checked by axe.
  await page.goBack();
  await page.getByRole("region", { name: "Details" }).getByRole("button", { name: "Edit" }).click();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(client.name);
  await expectAccessible(page, "the card's edit form");
  await snap(page, info, "card-edit-form");
});

test("the feed tells events in the user's language", async ({ page, request, baseURL }, info) => {
  const admin = await token(request, baseURL!);
  const member = await newMember(request, baseURL!, `Preneur ${unique()}`);
  const access = await token(request, baseURL!, member);
  expect((await request.patch(`${baseURL}/v1/me`, { data: { language: "fr" }, headers: bearer(access) })).status()).toBe(200);
  const made = await request.post(`${baseURL}/v1/leads`, { data: { name: `Lead FR ${unique()}`, unsorted: true }, headers: bearer(admin) });
  expect(made.status()).toBe(201);
  const lead = (await made.json()) as { id: string; name: string };
  const taken = await request.post(`${baseURL}/v1/leads/${lead.id}/take`, { headers: bearer(access) });
  expect(taken.ok()).toBe(true);

  await signIn(page, member);
  await expect(page.getByRole("navigation", { name: "Principale" })).toBeVisible();
  await page.goto(`/leads/${lead.id}`);
  await hideCallPanel(page);
  await expect(page.getByRole("heading", { name: new RegExp(lead.name), level: 1 })).toBeVisible();
  const feed = page.getByRole("list", { name: "Activité" });
  await expect(feed.getByText(`${member.name} a pris ce prospect dans Non triés.`)).toBeVisible({ timeout: 15_000 });
  await expect(feed.getByText("Fiche créée.")).toBeVisible();
  await expect(feed.getByText(/Événement|taken|created/)).toHaveCount(0);
  await expectAccessible(page, "a lead card in French");
  await snap(page, info, "feed-event-fr");
});
