import { expect, test } from "@playwright/test";

import { bearer, token } from "./contacts-api";
import { expectAccessible, signIn, snap } from "./helpers";

/**
 * The local stack's fake PBX plays each number the autodial asks for: the call starts, is
 * answered and ends a few seconds later (infra/local/stack.py `_play_requested_call`), so a run
 * goes through its numbers on its own.
 */
test("an autodial run paused, resumed and completed against the fake PBX", async ({ page }, info) => {
  test.setTimeout(240_000);
  const numbers = Array.from({ length: 4 }, () => `+3361${Math.floor(1e6 + Math.random() * 8e6)}`);
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Autodial" }).click();
  await expect(page.getByRole("heading", { name: "Autodial", level: 1 })).toBeVisible();
  await page.getByRole("radio", { name: "Pasted numbers" }).check();
  await page.getByRole("textbox", { name: "Numbers" }).fill(numbers.join("\n"));
  await expect(page.getByText("Numbers: 4")).toBeVisible();
  await expectAccessible(page, "the new call list form");
  await snap(page, info, "autodial-new");
  await page.getByRole("button", { name: "Start dialling" }).click();

  await expect(page).toHaveURL(/\/autodial\/[^/]+$/);
  const status = page.getByRole("status").filter({ hasText: "dialled" });
  const numbersTable = page.getByRole("table", { name: "Numbers of the call list" });
  await expect(numbersTable.getByRole("row")).toHaveCount(5);
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(status).toContainText("Paused");
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
  // Paused before its last number: the number being dialled may still end, the rest wait.
  await expect(numbersTable.getByRole("cell", { name: "Waiting" }).first()).toBeVisible();
  await expectAccessible(page, "a paused call list");
  await snap(page, info, "autodial-paused");

  await page.getByRole("button", { name: "Resume" }).click();
  await expect(status).toContainText(/Running|Completed/);
  await expect(status).toContainText("Completed", { timeout: 180_000 });
  await expect(status).toContainText("4 of 4 dialled");
  for (const number of numbers) {
    await expect(numbersTable.getByRole("row", { name: new RegExp(`\\${number} Answered`) })).toBeVisible();
  }
  await expect(page.getByRole("button", { name: "Pause" })).toHaveCount(0);
  await snap(page, info, "autodial-completed");

  // The run is in the call lists (GET /v1/call-lists: the demo user is an administrator), newest
  // first, with its final status; its row opens it again.
  const listUrl = page.url();
  await page.getByRole("link", { name: "All call lists" }).click();
  const lists = page.getByRole("table", { name: /call lists/i });
  const run = lists.getByRole("row").nth(1); // under the header: the newest
  await expect(run.getByRole("cell", { name: "Completed" })).toBeVisible();
  await expect(run.getByRole("cell", { name: "4 of 4 dialled" })).toBeVisible();
  await expectAccessible(page, "the call lists");
  await snap(page, info, "autodial-lists");
  await run.getByRole("link", { name: /Open the call list of/ }).click();
  await expect(page).toHaveURL(listUrl);
});

test("the clients list's selection goes to a new call list", async ({ page }, info) => {
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto("/clients");
  await page.getByRole("checkbox", { name: /Acme Dental/ }).check();
  await page.getByRole("link", { name: "Add to a call list" }).click();
  await expect(page.getByRole("heading", { name: "Autodial", level: 1 })).toBeVisible();
  await expect(page.getByRole("radio", { name: "Clients and leads" })).toBeChecked();
  await expect(page.getByRole("list", { name: "Selected contacts" }).getByText("Acme Dental")).toBeVisible();
  // Leads can be picked here too.
  await page.getByLabel("Look in").selectOption({ label: "Leads" });
  await expect(page.getByRole("list", { name: "Leads" })).toBeVisible();
  await snap(page, info, "autodial-from-selection");
});

test("a call list built from a selection of clients passes axe, then is cancelled", async ({ page, request, baseURL }, info) => {
  test.setTimeout(180_000);
  const slow = expect.configure({ timeout: 30_000 });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const access = await token(request, baseURL!);
  const names = ["Ada", "Ben", "Cleo"].map((first) => `${first} Autodial ${tag}`);
  for (const name of names) {
    const created = await request.post(`${baseURL}/v1/clients`, {
      data: { name, phones: [{ phone: `+3361${Math.floor(1e6 + Math.random() * 8e6)}`, type: "mobile" }] },
      headers: bearer(access),
    });
    expect(created.status()).toBe(201);
  }

  await signIn(page);
  await slow(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(`/clients?q=${tag}`);
  for (const name of names) await slow(page.getByRole("row", { name: new RegExp(name) })).toBeVisible();
  await page.getByRole("checkbox", { name: "Select all shown" }).check();
  await page.getByRole("link", { name: "Add to a call list" }).click();
  await slow(page.getByRole("heading", { name: "Autodial", level: 1 })).toBeVisible();
  const selected = page.getByRole("list", { name: "Selected contacts" });
  for (const name of names) await slow(selected.getByText(name)).toBeVisible();
  await expectAccessible(page, "the new call list built from a selection");
  await snap(page, info, "autodial-selection-new");
  await page.getByRole("button", { name: "Start dialling" }).click();

  await slow(page).toHaveURL(/\/autodial\/[^/]+$/);
  const listId = new URL(page.url()).pathname.split("/").pop()!;
  const status = page.getByRole("status").filter({ hasText: "dialled" });
  const numbersTable = page.getByRole("table", { name: "Numbers of the call list" });
  await slow(numbersTable.getByRole("row")).toHaveCount(4);
  await slow(status).toContainText("Running");
  await expectAccessible(page, "a running call list built from a selection");
  await snap(page, info, "autodial-selection-running");

  // Cancelled (confirmed): no more steering offered; the numbers not dialled yet never will be.
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Cancel the list" }).click();
  await slow(status).toContainText("Canceled");
  await expect(page.getByRole("button", { name: /^(Pause|Resume|Cancel the list)$/ })).toHaveCount(0);
  await snap(page, info, "autodial-cancelled");
  const read = async () => {
    const response = await request.get(`${baseURL}/v1/call-lists/${listId}`, { headers: bearer(access) });
    return (await response.json()) as { status: string; done: number; total: number };
  };
  await slow.poll(async () => (await read()).status).toBe("canceled");
  const final = await read();
  expect(final.total).toBe(3);
  expect(final.done).toBeLessThan(3);
  await expectAccessible(page, "a cancelled call list");

  // The call lists show it cancelled.
  await page.getByRole("link", { name: "All call lists" }).click();
  const run = page.getByRole("table", { name: /call lists/i }).getByRole("row").nth(1);
  await slow(run.getByRole("cell", { name: "Canceled" })).toBeVisible();
});
