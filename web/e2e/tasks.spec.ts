import { expect as baseExpect, test, type APIRequestContext, type Page } from "@playwright/test";

import { newMember, token as tokenOf } from "./contacts-api";
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

/** The accessible name of the empty slot at `hour`:00 of the calendar's time grid. */
const slotName = (hour: number) => new RegExp(`^New task at ${String(hour).padStart(2, "0")}:00,`);

/** The first hour from 08:00 whose slot and the next hour's are clear of tasks on the day shown: the
 *  demo's own tasks and other tests' start around now, whatever hour the suite runs at. */
async function freeHour(page: Page): Promise<number> {
  const hours = page.getByRole("region", { name: "Hours of the day" });
  const chips = await hours.getByRole("button", { name: /^(?!New task at )/ }).all();
  const taken = (await Promise.all(chips.map((chip) => chip.boundingBox()))).filter((box) => box !== null);
  const slot = (h: number) => hours.getByRole("button", { name: slotName(h) });
  for (let h = 8; h < 17; h++) {
    const boxes = await Promise.all([slot(h).boundingBox(), slot(h + 1).boundingBox()]);
    const clear = boxes.every((box) => box && taken.every((t) => t.y >= box.y + box.height || t.y + t.height <= box.y));
    if (clear) return h;
  }
  throw new Error("no free hour between 08:00 and 17:00 on the day shown");
}

async function open(page: Page, path: string, who: { crm: string; email: string; password: string } = DEMO) {
  await signIn(page, who);
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
  await expect(page.getByRole("button", { name: "Day", exact: true })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("button", { name: /^New task at 10:00,/ })).toBeVisible();
  await expectAccessible(page, "the calendar (day)");

  const hour = await freeHour(page);
  await page.getByRole("button", { name: slotName(hour) }).click();
  const dialog = page.getByRole("dialog", { name: "New task" });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, "the new task dialog");
  await dialog.getByRole("radio", { name: "Call" }).check();
  await dialog.getByLabel("Title").fill(title);
  await expect(dialog.getByLabel("Start")).toHaveValue(new RegExp(`T${String(hour).padStart(2, "0")}:00$`));
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

  // Drag it an hour later: one PATCH of its start, kept by the API.
  const slot = page.getByRole("button", { name: slotName(hour + 1) });
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

test("an admin opens a colleague's calendar and sees the colleague's task", async ({ page, request }, info) => {
  const auth = await token(request);
  const headers = { Authorization: `Bearer ${auth}` };
  const users = ((await (await request.get("/v1/users?limit=100", { headers })).json()) as { items: { id: string; name: string }[] }).items;
  const manon = users.find((u) => u.name === "Manon Manager");
  expect(manon, "the demo CRM's manager").toBeTruthy();
  // Starting now: today, in the week the calendar opens on, whatever the time zone.
  const title = `Manon's visit ${Date.now().toString(36)}`;
  const made = await request.post("/v1/tasks", {
    headers,
    data: { type: "task", title, start: new Date().toISOString(), responsible_user_id: manon!.id },
  });
  expect(made.status(), await made.text()).toBe(201);

  await open(page, "/calendar");
  await expect(page.getByRole("heading", { name: "Calendar", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: new RegExp(title) })).toHaveCount(0); // not the admin's own
  await page.getByLabel("Calendar of").selectOption({ label: "Manon Manager" });
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByRole("button", { name: new RegExp(title) })).toBeVisible();
  await snap(page, info, "calendar-colleague");
});

test("a call task is edited from the board; its number is callable", async ({ page, request, baseURL }, info) => {
  const member = await newMember(request, baseURL!, `Tess Tasks ${Date.now().toString(36)}`);
  const auth = await tokenOf(request, baseURL!, member);
  const title = `Call to edit ${Date.now().toString(36)}`;
  const made = await request.post("/v1/tasks", {
    headers: { Authorization: `Bearer ${auth}` },
    data: { type: "call", title, start: new Date(Date.now() + 3_600_000).toISOString(), phone: "+33612345678" },
  });
  expect(made.status(), await made.text()).toBe(201);
  const { id } = (await made.json()) as { id: string };

  await open(page, "/tasks", member);
  const card = page.getByRole("region", { name: "To do" }).getByRole("article", { name: title });
  await expect(card).toBeVisible();
  await expect(card.getByRole("button", { name: "Call +33612345678" })).toBeVisible();
  await card.getByRole("button", { name: `Edit ${title}` }).click();
  const dialog = page.getByRole("dialog", { name: "Edit the task" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Title")).toHaveValue(title);
  await expect(dialog.getByLabel("Phone number")).toHaveValue("+33612345678");
  await expect(dialog.getByRole("button", { name: "Call +33612345678" })).toBeVisible();
  await expectAccessible(page, "the edit task dialog");
  await snap(page, info, "task-edit-dialog");

  const edited = `${title} (edited)`;
  await dialog.getByLabel("Title").fill(edited);
  await dialog.getByLabel("Phone number").fill("+33698765432");
  await dialog.getByLabel("Status").selectOption({ label: "In progress" });
  await dialog.getByRole("button", { name: "Save the task" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("region", { name: "In progress" }).getByRole("article", { name: edited })).toBeVisible();
  await snap(page, info, "task-edited");
  const stored = await request.get(`/v1/tasks/${id}`, { headers: { Authorization: `Bearer ${auth}` } });
  expect(await stored.json()).toMatchObject({ title: edited, phone: "+33698765432", status: "in_progress", type: "call" });
});

test("a board column past 50 tasks says so and loads the rest", async ({ page, request, baseURL }, info) => {
  const member = await newMember(request, baseURL!, `Pia Pages ${Date.now().toString(36)}`);
  const auth = await tokenOf(request, baseURL!, member);
  const stamp = Date.now().toString(36);
  const start = Date.now() + 86_400_000;
  // 51 open tasks, one minute apart: the 51st is past the board's first page.
  for (let batch = 0; batch < 51; batch += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, 51 - batch) }, async (_, k) => {
        const i = batch + k;
        const made = await request.post("/v1/tasks", {
          headers: { Authorization: `Bearer ${auth}` },
          data: { type: "task", title: `Paged ${stamp} #${String(i + 1).padStart(2, "0")}`, start: new Date(start + i * 60_000).toISOString() },
        });
        expect(made.status(), await made.text()).toBe(201);
      }),
    );
  }

  await open(page, "/tasks", member);
  const todo = page.getByRole("region", { name: "To do" });
  await expect(todo.getByText("50 tasks shown, more to load")).toBeVisible();
  await expect(todo.getByRole("article")).toHaveCount(50);
  await expect(todo.getByRole("article", { name: `Paged ${stamp} #51` })).toHaveCount(0);
  await snap(page, info, "tasks-board-first-page");
  await todo.getByRole("button", { name: "Load more tasks in To do" }).click();
  await expect(todo.getByRole("article", { name: `Paged ${stamp} #51` })).toBeVisible();
  await expect(todo.getByRole("article")).toHaveCount(51);
  await expect(todo.getByText("51 tasks", { exact: true })).toBeVisible();
  await expect(todo.getByRole("button", { name: "Load more tasks in To do" })).toHaveCount(0);
  await expectAccessible(page, "the tasks board with a loaded page");
  await snap(page, info, "tasks-board-all-loaded");
});
