import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { DEMO, expectAccessible, sensorListening, signIn, snap } from "./helpers";

async function login(request: APIRequestContext, baseURL: string, who: { crm: string; email: string; password: string } = DEMO) {
  const reply = await request.post(`${baseURL}/v1/auth/login`, { data: { crm: who.crm, email: who.email, password: who.password } });
  expect(reply.status()).toBe(200);
  const body = (await reply.json()) as { access_token: string; user: { id: string; group_id: string } };
  return { headers: { Authorization: `Bearer ${body.access_token}` }, user: body.user };
}

/** The figure a widget shows first (the first definition of its list). */
async function mainFigure(page: Page, widget: string): Promise<number> {
  const text = await page.getByRole("region", { name: widget }).getByRole("definition").first().textContent();
  return Number((text ?? "").replace(/\D/g, ""));
}

const widgetTitles = (page: Page) => page.getByRole("main").getByRole("region").getByRole("heading", { level: 3 }).allTextContents();

test.afterEach(async ({ request, baseURL }) => {
  // Leave the demo user's dashboard in its default layout for the other tests.
  const demo = await login(request, baseURL!);
  await request.put(`${baseURL}/v1/dashboard/layout`, { data: { widgets: [] }, headers: demo.headers });
});

test("the dashboard shows the demo figures; a hidden and a moved widget stay so after a reload", async ({ page, request, baseURL }, info) => {
  test.setTimeout(150_000); // the demo history may still be on its way
  const demo = await login(request, baseURL!);
  await request.put(`${baseURL}/v1/dashboard/layout`, { data: { widgets: [] }, headers: demo.headers });
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: `Welcome, ${DEMO.name}` })).toBeVisible();
  await expect(page.getByRole("region", { name: "Clients" })).toBeVisible();

  // The demo history is written in the background after start-up: reload until it shows.
  await expect
    .poll(
      async () => {
        await page.reload();
        return Math.min((await mainFigure(page, "Clients")) - 1, await mainFigure(page, "My leads"));
      },
      { timeout: 90_000, intervals: [1_000, 2_000, 5_000] },
    )
    .toBeGreaterThan(0);
  const defaults = [
    "Clients", "My leads", "Tasks completed this week", "Overdue tasks", "Tasks in progress", "My calls today", "New leads today",
  ];
  expect(await widgetTitles(page)).toEqual(defaults);
  await expectAccessible(page, "the dashboard");
  await snap(page, info, "dashboard");

  // Hide a widget: gone from the grid, listed in the customise panel.
  let saved = page.waitForResponse((r) => r.url().endsWith("/v1/dashboard/layout") && r.request().method() === "PUT");
  await page.getByRole("button", { name: "Hide Overdue tasks" }).click();
  await expect(page.getByRole("region", { name: "Overdue tasks" })).toHaveCount(0);
  expect((await saved).status()).toBe(200);
  await expect(page.getByRole("button", { name: "Customise (1 hidden)" })).toBeVisible();

  // Move "Clients" one place on with the keyboard (the drag handle: Space, arrow, Space).
  saved = page.waitForResponse((r) => r.url().endsWith("/v1/dashboard/layout") && r.request().method() === "PUT");
  const handle = page.getByRole("button", { name: "Move Clients" });
  await handle.focus();
  // Each step waits for what a screen reader hears (the sensor listens from the next tick).
  await page.keyboard.press("Space");
  await expect(page.getByText("Clients moved to position 1 of 6.")).toBeAttached();
  await sensorListening(page);
  await page.keyboard.press("ArrowRight");
  await expect(page.getByText("Clients moved to position 2 of 6.")).toBeAttached();
  await page.keyboard.press("Space");
  await expect(page.getByText("Clients dropped in position 2 of 6.")).toBeAttached();
  expect((await saved).status()).toBe(200);
  const arranged = ["My leads", "Clients", "Tasks completed this week", "Tasks in progress", "My calls today", "New leads today"];
  await expect.poll(() => widgetTitles(page)).toEqual(arranged);
  await snap(page, info, "dashboard-arranged");

  // Saved per user: a reload shows the same layout.
  await page.reload();
  await expect(page.getByRole("region", { name: "Clients" })).toBeVisible();
  expect(await widgetTitles(page)).toEqual(arranged);

  // The customise panel brings the hidden widget back, in its place.
  await page.getByRole("button", { name: "Customise (1 hidden)" }).click();
  await expect(page.getByRole("heading", { name: "Hidden widgets" })).toBeVisible();
  await expectAccessible(page, "the dashboard's customise panel");
  await snap(page, info, "dashboard-customise");
  await page.getByRole("button", { name: "Show Overdue tasks" }).click();
  await expect(page.getByRole("region", { name: "Overdue tasks" })).toBeVisible();
  await expect(page.getByText("Every widget is shown.")).toBeVisible();
  await expect.poll(() => widgetTitles(page)).toEqual([
    "My leads", "Clients", "Tasks completed this week", "Overdue tasks", "Tasks in progress", "My calls today", "New leads today",
  ]);
  // The profile summary is one click away in the account menu.
  await page.getByRole("button", { name: `Account menu for ${DEMO.name}` }).click();
  await page.getByRole("link", { name: "Your profile" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("main").getByText(DEMO.email)).toBeVisible();
});

test("a failed layout save puts the widgets back and says so", async ({ page }, info) => {
  await signIn(page);
  await expect(page.getByRole("region", { name: "Clients" })).toBeVisible();
  await page.route("**/v1/dashboard/layout", (route) =>
    route.fulfill({ status: 503, json: { error: { code: "unavailable", message: "Try again in a moment." } } }),
  );
  await page.getByRole("button", { name: "Hide Clients" }).click();
  await expect(page.getByRole("alert")).toContainText("could not be saved");
  await expect(page.getByRole("region", { name: "Clients" })).toBeVisible();
  await snap(page, info, "dashboard-save-failed");
});

test("the bell counts a lead another user assigns; the list marks one and then all read", async ({ page, request, baseURL }, info) => {
  const demo = await login(request, baseURL!);
  await request.post(`${baseURL}/v1/notifications/read`, { data: { all: true }, headers: demo.headers });

  // A colleague (an administrator invited by link) assigns two leads to the demo user.
  const link = await request.post(`${baseURL}/v1/invitation-links`, { data: { group_id: demo.user.group_id }, headers: demo.headers });
  expect(link.status()).toBe(201);
  const { token } = (await link.json()) as { token: string };
  const colleague = { crm: DEMO.crm, email: `bea-${Date.now().toString(36)}@example.com`, password: "bea-long-password" };
  const accepted = await request.post(`${baseURL}/v1/invitations/accept`, {
    data: { token, name: "Bea Colleague", email: colleague.email, password: colleague.password },
  });
  expect(accepted.status()).toBe(201);
  const bea = await login(request, baseURL!, colleague);
  const suffix = Date.now().toString(36);
  for (const name of [`Olga First ${suffix}`, `Paul Second ${suffix}`]) {
    const lead = await request.post(`${baseURL}/v1/leads`, { data: { name, responsible_user_id: demo.user.id }, headers: bea.headers });
    expect(lead.status()).toBe(201);
  }

  await signIn(page);
  const bell = page.getByRole("button", { name: "Notifications, 2 unread" });
  await expect(bell).toBeVisible();
  await bell.click();
  const dialog = page.getByRole("dialog", { name: "Notifications" });
  await expect(dialog).toBeFocused();
  // Newest first.
  const items = dialog.getByRole("listitem");
  await expect(items.first()).toContainText(`Lead assigned to you: Paul Second ${suffix}`);
  await expect(items.nth(1)).toContainText(`Lead assigned to you: Olga First ${suffix}`);
  await expect(items.first()).toContainText(/now|second|minute/);
  await expectAccessible(page, "the dashboard with the notifications open");
  await snap(page, info, "notifications-open");

  // Opening one marks it read.
  await dialog.getByRole("link", { name: new RegExp(`Olga First ${suffix}`) }).click();
  await expect(page.getByRole("button", { name: "Notifications, 1 unread" })).toBeVisible();

  await page.getByRole("button", { name: "Notifications, 1 unread" }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Mark all as read" }).click();
  await expect(page.getByRole("button", { name: "Notifications, none unread" })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Mark all as read" })).toBeDisabled();
  await snap(page, info, "notifications-read");

  // Escape closes the list and gives the focus back to the bell.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Notifications, none unread" })).toBeFocused();
});

test("the search finds the demo client with the keyboard and opens it", async ({ page }, info) => {
  await signIn(page);
  await expect(page.getByRole("region", { name: "Clients" })).toBeVisible();
  const visited: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
  });

  await page.getByRole("heading", { level: 1 }).click(); // the focus out of any field
  await page.keyboard.press("/");
  const box = page.getByRole("combobox", { name: "Search" });
  await expect(box).toBeFocused();
  await page.keyboard.type("Acme");
  const results = page.getByRole("listbox", { name: "Search results" });
  await expect(results).toBeVisible();
  const option = results.getByRole("group", { name: "Clients" }).getByRole("option", { name: /^Acme Dental/ });
  await expect(option).toBeVisible();
  await page.keyboard.press("ArrowDown");
  await expect(option).toHaveAttribute("aria-selected", "true");
  await expect(box).toHaveAttribute("aria-activedescendant", (await option.getAttribute("id"))!);
  await expectAccessible(page, "the dashboard with the search open");
  await snap(page, info, "search-open");

  await page.keyboard.press("Escape");
  await expect(results).toBeHidden();
  await page.keyboard.press("ArrowDown");
  await expect(option).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  // The client's card (its screen may redirect while it is being built elsewhere).
  await expect.poll(() => visited.some((path) => /^\/clients\/[^/]+$/.test(path))).toBe(true);
  await expect(results).toBeHidden();
  await snap(page, info, "search-opened");

  // Ctrl+K reaches the box from anywhere.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home" }).focus();
  await page.keyboard.press("Control+k");
  await expect(box).toBeFocused();
});
