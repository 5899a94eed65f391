import { expect as baseExpect, test, type APIRequestContext, type Page } from "@playwright/test";

import { DEMO, expectAccessible, signIn, snap } from "./helpers";

// The local stack shares two cores with the browser: give its reads room.
const expect = baseExpect.configure({ timeout: 30_000 });
test.beforeEach(() => test.setTimeout(120_000));

async function token(request: APIRequestContext) {
  const login = await request.post("/v1/auth/login", { data: { crm: DEMO.crm, email: DEMO.email, password: DEMO.password } });
  return ((await login.json()) as { access_token: string }).access_token;
}

async function findTask(request: APIRequestContext, auth: string, title: string) {
  const list = await request.get("/v1/tasks?include_completed=true&limit=100", { headers: { Authorization: `Bearer ${auth}` } });
  const items = ((await list.json()) as { items: { id: string; title: string; type: string; phone: string | null; start: string; status: string }[] }).items;
  return items.find((task) => task.title === title);
}

async function open(page: Page, path: string) {
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(path);
}

test("a call task is created from an empty slot of the calendar, then dragged an hour later", async ({ page, request }, info) => {
  const auth = await token(request);
  const title = `Call from calendar ${Date.now().toString(36)}`;
  await open(page, "/calendar");
  await expect(page.getByRole("heading", { name: "Calendar", level: 1 })).toBeVisible();
  await expectAccessible(page, "the calendar (week)");
  await snap(page, info, "calendar-week");
  await page.getByRole("button", { name: "Month", exact: true }).click();
  await expect(page.getByRole("button", { name: "Month", exact: true })).toHaveAttribute("aria-pressed", "true");
  await expectAccessible(page, "the calendar (month)");
  await snap(page, info, "calendar-month");
  await page.getByRole("button", { name: "Day", exact: true }).click();

  await page.getByRole("button", { name: /^New task at 10:00,/ }).click();
  const dialog = page.getByRole("dialog", { name: "New task" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("radio", { name: "Call" }).check();
  await dialog.getByLabel("Title").fill(title);
  await expect(dialog.getByLabel("Start")).toHaveValue(/T10:00$/);
  // The API's error lands on the field it names.
  await dialog.getByLabel("Phone number").fill("not a phone");
  await dialog.getByRole("button", { name: "Save the task" }).click();
  await expect(dialog.getByLabel("Phone number")).toHaveAttribute("aria-invalid", "true");
  await snap(page, info, "task-field-error");
  await dialog.getByLabel("Phone number").fill("+33612345678");
  await dialog.getByRole("button", { name: "Save the task" }).click();
  await expect(dialog).toBeHidden();
  const chip = page.getByRole("button", { name: new RegExp(title) });
  await expect(chip).toBeVisible();
  await snap(page, info, "calendar-day-with-call");

  const created = await findTask(request, auth, title);
  expect(created).toMatchObject({ type: "call", phone: "+33612345678" });

  // Drag it to 11:00: one PATCH of its start, kept by the API.
  const slot = page.getByRole("button", { name: /^New task at 11:00,/ });
  const from = (await chip.boundingBox())!;
  const to = (await slot.boundingBox())!;
  const moved = page.waitForResponse((r) => r.url().includes(`/v1/tasks/${created!.id}`) && r.request().method() === "PATCH");
  await page.mouse.move(from.x + 20, from.y + 5);
  await page.mouse.down();
  await page.mouse.move(from.x + 25, from.y + 15, { steps: 3 });
  await page.mouse.move(to.x + 20, to.y + 10, { steps: 12 });
  await page.mouse.up();
  expect((await moved).status()).toBe(200);
  await expect.poll(async () => (await findTask(request, auth, title))?.start).not.toBe(created!.start);
  const after = await findTask(request, auth, title);
  expect(new Date(after!.start).getTime() - new Date(created!.start).getTime()).toBe(3_600_000);
  await snap(page, info, "calendar-after-drag");
});

test("a task is completed from the board and shows with the completed toggle", async ({ page, request }, info) => {
  const auth = await token(request);
  const title = `Task to complete ${Date.now().toString(36)}`;
  const made = await request.post("/v1/tasks", {
    headers: { Authorization: `Bearer ${auth}` },
    data: { type: "video", title, start: new Date(Date.now() + 3_600_000).toISOString(), meeting_url: "https://meet.example.com/x" },
  });
  expect(made.status(), await made.text()).toBe(201);
  await open(page, "/tasks");
  const todo = page.getByRole("region", { name: "To do" });
  await expect(todo.getByRole("article", { name: title })).toBeVisible();
  await expectAccessible(page, "the tasks board");
  await snap(page, info, "tasks-board");
  await todo.getByRole("button", { name: `Complete ${title}` }).click();
  await expect(page.getByRole("region", { name: "Done" }).getByRole("article", { name: title })).toBeVisible();
  expect((await findTask(request, auth, title))?.status).toBe("done");

  await page.getByRole("link", { name: "List" }).click();
  await expect(page.getByRole("heading", { name: "Tasks list" })).toBeVisible();
  await expect(page.getByRole("article", { name: title })).toHaveCount(0);
  await page.getByLabel("Show completed tasks").check();
  await expect(page.getByRole("article", { name: title })).toBeVisible();
  await expectAccessible(page, "the tasks list");
  await snap(page, info, "tasks-list-completed");
});

test("an admin opens a colleague's calendar", async ({ page }, info) => {
  await open(page, "/calendar");
  await page.getByLabel("Calendar of").selectOption({ label: "Manon Manager" });
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^New task at 10:00,/ }).first()).toBeVisible();
  await snap(page, info, "calendar-colleague");
});
