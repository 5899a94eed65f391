/** Rights in the UI (issue 17 item 8): what a user may not do is not offered, as the API refuses it. */
import { expect, test, type APIRequestContext } from "@playwright/test";

import { bearer, newMember, token } from "./contacts-api";
import { expectAccessible, signIn, snap } from "./helpers";

const NO_RIGHTS = {
  customers_create: false,
  customers_edit: false,
  customers_delete: false,
  customers_import_export: false,
  customers_view_all: false,
  calendar_other_users_access: false,
  calls_other_users_access: false,
  leads_view: false,
  leads_edit: false,
  leads_delete: false,
  leads_import_export: false,
  team_add: false,
  team_edit: false,
};

/** A colleague in a group without any right, with one client of their own and a colleague's lead. */
async function trainee(request: APIRequestContext, baseURL: string) {
  const stamp = Date.now().toString(36);
  const admin = bearer(await token(request, baseURL));
  const group = await request.post(`${baseURL}/v1/groups`, {
    headers: admin,
    data: { title: `No rights ${stamp}`, permissions: NO_RIGHTS },
  });
  expect(group.status(), await group.text()).toBe(201);
  const groupId = ((await group.json()) as { id: string }).id;
  const who = await newMember(request, baseURL, `Trainee ${stamp}`);
  const own = bearer(await token(request, baseURL, who));
  const me = (await (await request.get(`${baseURL}/v1/me`, { headers: own })).json()) as { id: string };
  const moved = await request.patch(`${baseURL}/v1/users/${me.id}`, { headers: admin, data: { group_id: groupId } });
  expect(moved.status(), await moved.text()).toBe(200);
  const client = await request.post(`${baseURL}/v1/clients`, {
    headers: admin,
    data: { name: `Trainee's client ${stamp}`, responsible_user_id: me.id },
  });
  expect(client.status(), await client.text()).toBe(201);
  return { who, clientId: ((await client.json()) as { id: string }).id };
}

test("a user without rights is not offered creating, deleting, editing clients or colleagues' calendars", async ({
  page,
  request,
  baseURL,
}, info) => {
  const { who, clientId } = await trainee(request, baseURL!);
  await signIn(page, who);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeVisible();

  await expect(nav.getByRole("link", { name: "Imports" })).toHaveCount(0);
  await nav.getByRole("link", { name: "Clients" }).click();
  await expect(page.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: /Import/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Export/ })).toHaveCount(0);
  await expect(page.getByRole("tab", { name: "My clients" })).toBeVisible();
  await expect(page.getByRole("row", { name: /Trainee's client/ })).toBeVisible();
  await expect(page.getByRole("tab", { name: "All" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New client" })).toHaveCount(0);
  // The selection may be sent an SMS or dialled, not tagged, assigned or deleted.
  await page.getByRole("checkbox", { name: /Trainee's client/ }).check();
  const bulk = page.getByRole("region", { name: /With the 1 selected/ });
  await expect(bulk.getByRole("link", { name: "SMS broadcast" })).toBeVisible();
  await expect(bulk.getByLabel("Action")).toHaveCount(0);
  await expect(bulk.getByRole("button", { name: "Apply" })).toHaveCount(0);
  await expectAccessible(page, "the clients list without rights");
  await snap(page, info, "rights-clients");

  await page.goto(`/clients/${clientId}`);
  await expect(page.getByText("Read only: editing clients needs")).toBeVisible();
  const actions = page.getByRole("group", { name: "Actions" });
  await expect(actions.getByRole("button", { name: "Call" })).toBeVisible();
  await expect(actions.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await expect(actions.getByRole("button", { name: "New deal" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await snap(page, info, "rights-card");

  await nav.getByRole("link", { name: "Leads" }).click();
  await expect(page.getByRole("tab", { name: "Unsorted" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "All" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New lead" })).toBeVisible(); // any user creates leads

  await nav.getByRole("link", { name: "Deals" }).click();
  await expect(page.getByText("Read only: moving deals needs")).toBeVisible();
  await expect(page.getByRole("link", { name: "New deal" })).toHaveCount(0);

  await nav.getByRole("link", { name: "Calendar" }).click();
  await expect(page.getByRole("heading", { name: "Calendar", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Calendar of")).toHaveCount(0);
  await snap(page, info, "rights-calendar");
});

test("an admin is offered all of it", async ({ page }) => {
  await signIn(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Imports" })).toBeVisible();
  await nav.getByRole("link", { name: "Clients" }).click();
  await expect(page.getByRole("button", { name: "New client" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "All" })).toBeVisible();
  await nav.getByRole("link", { name: "Leads" }).click();
  // A selection of leads may be sent an SMS or dialled (bulk edits are for clients only).
  await page.getByRole("checkbox", { name: "Select all shown" }).check();
  const bulk = page.getByRole("region", { name: /With the \d+ selected/ });
  await expect(bulk.getByRole("link", { name: "SMS broadcast" })).toBeVisible();
  await expect(bulk.getByRole("link", { name: "Add to a call list" })).toBeVisible();
  await expect(bulk.getByLabel("Action")).toHaveCount(0);
  await nav.getByRole("link", { name: "Calendar" }).click();
  await expect(page.getByLabel("Calendar of")).toBeVisible();
  await nav.getByRole("link", { name: "Deals" }).click();
  await expect(page.getByRole("link", { name: "New deal" })).toBeVisible();
  await expect(page.getByText("Read only: moving deals needs")).toHaveCount(0);
});
