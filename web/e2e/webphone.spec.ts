import { expect, test, type APIRequestContext } from "@playwright/test";

import { bearer, incomingCall, pbxEvent, token } from "./contacts-api";
import { expectAccessible, signIn, snap } from "./helpers";

const ACME = "+33612345678"; // Acme Dental, the demo user's client

/** The demo user's telephony mode (TE-7), through the API. */
async function setMode(request: APIRequestContext, baseURL: string, mode: string) {
  const access = await token(request, baseURL);
  const changed = await request.patch(`${baseURL}/v1/me`, { data: { telephony_mode: mode }, headers: bearer(access) });
  expect(changed.ok()).toBe(true);
  return access;
}

// The demo user is in softphone mode (infra/local/seed.py): give it back after these tests.
test.afterAll(async ({ request, baseURL }) => {
  await setMode(request, baseURL!, "softphone");
});

test("in web phone mode, a client's number is dialled by the (stand-in) web phone", async ({ page, request, baseURL }, info) => {
  const access = await setMode(request, baseURL!, "webphone");
  const found = await request.get(`${baseURL}/v1/clients?q=Acme%20Dental`, { headers: bearer(access) });
  const [acme] = ((await found.json()) as { items: { id: string }[] }).items;

  await signIn(page);
  const phone = page.getByRole("complementary", { name: "Web phone" });
  await expect(phone.getByText("Ready · extension 100")).toBeVisible();
  await expect(phone.getByText("Stand-in phone (local stack)")).toBeVisible();

  await page.goto(`/clients/${acme!.id}`);
  await page.getByRole("button", { name: `Call ${ACME}` }).first().click();
  await expect(page.getByText(`Your web phone dials ${ACME}.`).first()).toBeVisible();
  await expect(phone.getByRole("status")).toHaveText(`Calling ${ACME}…`);
  await expectAccessible(page, "the web phone dialling");
  await snap(page, info, "webphone-dialling");
  await phone.getByRole("button", { name: "Hang up" }).click();
  await expect(phone.getByRole("status")).toHaveText("Call ended.");
});

test("a live call is transferred from the call panel to a colleague", async ({ page, request, baseURL }, info) => {
  const access = await setMode(request, baseURL!, "webphone");
  await signIn(page);
  await expect(page.getByRole("complementary", { name: "Web phone" })).toBeVisible();

  const call = incomingCall(ACME);
  await pbxEvent(request, baseURL!, call.start);
  await pbxEvent(request, baseURL!, call.internal);
  await pbxEvent(request, baseURL!, call.answer);
  const panel = page.getByRole("complementary", { name: "Call in progress" });
  await expect(panel.getByText("Acme Dental")).toBeVisible();

  const transfer = panel.getByRole("form", { name: "Transfer the call" });
  await transfer.getByLabel("Colleague").selectOption({ label: "Manon Manager (101)" });
  await expectAccessible(page, "the call panel's transfer");
  await transfer.getByRole("button", { name: "Transfer" }).click();
  await expect(transfer.getByRole("status")).toHaveText("Transferred to Manon Manager (extension 101).");
  // The web phone sends the PBX's blind-transfer keys on the call.
  await expect(page.getByRole("complementary", { name: "Web phone" }).getByText("Sent the keys #101 on the call.")).toBeVisible();
  await snap(page, info, "webphone-transferred");

  // Recorded in the call's history: the colleague (extension 101) has it.
  const recorded = await request.get(`${baseURL}/v1/calls/${call.start.pbx_call_id}`, { headers: bearer(access) });
  const body = (await recorded.json()) as { transfers: { to_extension: string; attended: boolean }[] };
  expect(body.transfers.map((t) => [t.to_extension, t.attended])).toEqual([["101", false]]);
  // The PBX puts the call through to the colleague, who ends it.
  await pbxEvent(request, baseURL!, { ...call.end, internal: "101" });
});
