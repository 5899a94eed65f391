import { expect, test } from "@playwright/test";

import { incomingCall, pbxEvent } from "./contacts-api";
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
  await expect(panel.getByText("From +33612345678")).toBeVisible();
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

test("an unknown number offers to create a client or a lead", async ({ page, request, baseURL }, info) => {
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  const number = `+3375${Math.floor(1e6 + Math.random() * 8e6)}`;
  const call = incomingCall(number);
  await pbxEvent(request, baseURL!, call.start);
  const panel = page.getByRole("complementary", { name: /Incoming call|Call in progress/ });
  await expect(panel.getByText(`From ${number}`)).toBeVisible();
  // The CRM may have made the caller a lead already (automatic leads); otherwise create one.
  if (await panel.getByText("Unknown number").isVisible()) {
    await panel.getByLabel("Name of the caller").fill("New Caller");
    await panel.getByRole("button", { name: "Create a client" }).click();
    await expect(panel.getByText("New Caller")).toBeVisible();
  }
  await expect(panel.getByRole("link", { name: "Open the card" })).toBeVisible();
  await snap(page, info, "incoming-unknown");
  await pbxEvent(request, baseURL!, call.end);
});
