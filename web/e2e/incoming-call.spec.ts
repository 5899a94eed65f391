import { expect, test } from "@playwright/test";

import { bearer, incomingCall, pbxEvent, token } from "./contacts-api";
import { expectAccessible, signIn, snap } from "./helpers";

test("an incoming call shows the caller's card with a notes box", async ({ page, request, baseURL }, info) => {
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  const call = incomingCall("+33612345678"); // Acme Dental, the demo user's client
  await pbxEvent(request, baseURL!, call.start);
  await pbxEvent(request, baseURL!, call.internal);
  const panel = page.getByRole("complementary", { name: "Incoming call" });
  await expect(panel).toBeVisible();
  await expect(panel.getByText("Acme Dental")).toBeVisible();
  // The caller's number is callable (click-to-call), like every number in the app.
  await expect(panel.getByRole("button", { name: "Call +33612345678 back" })).toBeVisible();
  await expectAccessible(page, "the incoming call panel");
  await snap(page, info, "incoming-ringing");

  await pbxEvent(request, baseURL!, call.answer);
  await expect(page.getByRole("complementary", { name: "Call in progress" })).toBeVisible();
  const during = page.getByRole("complementary", { name: "Call in progress" });
  await during.getByRole("textbox", { name: "Notes during the call" }).fill("Wants a quote for 3 chairs");
  await pbxEvent(request, baseURL!, call.end);
  // The call ended: the panel stays while the note is unsaved.
  await page.getByRole("button", { name: "Save the note" }).click();
  await expect(page.getByText("Note saved on the card.")).toBeVisible();
  await snap(page, info, "incoming-note-saved");
  await page.getByRole("link", { name: "Open the card" }).click();
  await expect(page.getByRole("list", { name: "Activity" }).getByText("Wants a quote for 3 chairs")).toBeVisible();
});

test.describe("automatic leads off", () => {
  // The demo CRM makes a lead of every unknown caller (auto_lead_incoming_calls): turned off for
  // these tests, so the panel shows "Unknown number", then restored as it was.
  let before: boolean | undefined;
  test.beforeEach(async ({ request, baseURL }) => {
    test.setTimeout(180_000);
    const headers = bearer(await token(request, baseURL!));
    const settings = await request.get(`${baseURL}/v1/settings/telephony`, { headers });
    expect(settings.ok(), await settings.text()).toBe(true);
    before = ((await settings.json()) as { auto_lead_incoming_calls: boolean }).auto_lead_incoming_calls;
    const off = await request.put(`${baseURL}/v1/settings/telephony`, { headers, data: { auto_lead_incoming_calls: false } });
    expect(off.ok(), await off.text()).toBe(true);
    // The PBX webhook reads the CRM's settings through a cache (PBX_CACHE_SECONDS: 5 s in the
    // local stack, a minute in AWS): wait until a short missed call from an unknown number
    // leaves it unknown.
    await expect
      .poll(
        async () => {
          const number = `+3375${Math.floor(1e6 + Math.random() * 8e6)}`;
          const probe = incomingCall(number);
          await pbxEvent(request, baseURL!, probe.start);
          await pbxEvent(request, baseURL!, { ...probe.end, duration: "0", disposition: "no answer", status_code: "19" });
          const found = await request.get(`${baseURL}/v1/calls?q=${encodeURIComponent(number)}`, { headers });
          const items = ((await found.json()) as { items: { contact: unknown }[] }).items;
          return items.length === 1 && items[0]!.contact === null;
        },
        { timeout: 120_000, intervals: [1_000, 2_000] },
      )
      .toBe(true);
  });
  test.afterEach(async ({ request, baseURL }) => {
    if (before === undefined) return;
    const headers = bearer(await token(request, baseURL!));
    const back = await request.put(`${baseURL}/v1/settings/telephony`, { headers, data: { auto_lead_incoming_calls: before } });
    expect(back.ok(), await back.text()).toBe(true);
  });

  test("an unknown number becomes a client, another a lead, in one click each (TE-6)", async ({ page, request, baseURL }, info) => {
    const headers = bearer(await token(request, baseURL!));
    await signIn(page);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    const stamp = Date.now().toString(36);

    for (const kind of ["client", "lead"] as const) {
      const number = `+3375${Math.floor(1e6 + Math.random() * 8e6)}`;
      const name = `New ${kind} caller ${stamp}`;
      const call = incomingCall(number);
      await pbxEvent(request, baseURL!, call.start);
      await pbxEvent(request, baseURL!, call.internal);
      const panel = page.getByRole("complementary", { name: "Incoming call" });
      await expect(panel.getByRole("button", { name: `Call ${number} back` })).toBeVisible();
      await expect(panel.getByText("Unknown number")).toBeVisible();
      if (kind === "client") {
        await expectAccessible(page, "the incoming call panel (unknown number)");
        await snap(page, info, "incoming-unknown");
      }
      await panel.getByLabel("Name of the caller").fill(name);
      await panel.getByRole("button", { name: kind === "client" ? "Create a client" : "Create a lead" }).click();
      await expect(panel.getByText(name)).toBeVisible();
      await expect(panel.getByText("Unknown number")).toHaveCount(0);
      await expect(panel.getByRole("link", { name: "Open the card" })).toHaveAttribute("href", new RegExp(`^/${kind}s/`));
      await snap(page, info, `incoming-created-${kind}`);

      // The API has it: the call names the new contact, which carries the caller's number.
      const current = await request.get(`${baseURL}/v1/calls/current`, { headers });
      const contact = ((await current.json()) as { call: { contact: { type: string; id: string } | null } | null }).call?.contact;
      expect(contact?.type).toBe(kind);
      const stored = await request.get(`${baseURL}/v1/${kind}s/${contact!.id}`, { headers });
      expect(stored.ok(), await stored.text()).toBe(true);
      const card = (await stored.json()) as { name: string; phones: { phone: string }[] };
      expect(card.name).toBe(name);
      expect(card.phones.map((p) => p.phone)).toContain(number);

      await pbxEvent(request, baseURL!, call.end);
      await expect(panel).toBeHidden();
    }
  });
});
