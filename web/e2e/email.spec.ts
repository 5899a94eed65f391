import { expect as baseExpect, test, type Page } from "@playwright/test";

import { expectAccessible, signIn, snap } from "./helpers";

// The local stack shares two cores with the browser: give its reads room.
const expect = baseExpect.configure({ timeout: 30_000 });
test.beforeEach(() => test.setTimeout(120_000));

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

async function open(page: Page, path: string) {
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(path);
}

test("adding a mailbox on a server that refuses shows the connection test's error on the field", async ({ page }, info) => {
  await open(page, "/settings");
  await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "Email" }).click();
  await expect(page.getByRole("heading", { name: "Email mailboxes", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Add a mailbox" }).click();
  const form = page.getByRole("form", { name: "New mailbox" });

  // A preset fills both servers.
  const presets = form.getByLabel("Provider");
  await expect(presets.getByRole("option", { name: "Gmail / Google Workspace" })).toBeAttached();
  await presets.selectOption({ label: "Gmail / Google Workspace" });
  const imap = form.getByRole("group", { name: "Incoming mail (IMAP)" });
  const smtp = form.getByRole("group", { name: "Outgoing mail (SMTP)" });
  await expect(imap.getByLabel("Server", { exact: true })).toHaveValue("imap.gmail.com");
  await expect(smtp.getByLabel("Server", { exact: true })).toHaveValue("smtp.gmail.com");
  await expect(imap.getByLabel("Port", { exact: true })).toHaveValue("993");

  // Custom servers where nothing listens: the connection test refuses, on the IMAP host.
  await presets.selectOption({ label: "Other (custom IMAP/SMTP)" });
  await form.getByLabel("Name", { exact: true }).fill(`Refused ${unique()}`);
  await form.getByLabel("Email address").fill("sales@example.com");
  await imap.getByLabel("Server", { exact: true }).fill("127.0.0.1");
  await imap.getByLabel("Port", { exact: true }).fill("1");
  await imap.getByLabel("Security", { exact: true }).selectOption({ label: "None (unencrypted)" });
  await expect(imap.getByLabel("Username", { exact: true })).toHaveValue("sales@example.com");
  await imap.getByLabel("Password", { exact: true }).fill("secret");
  await smtp.getByLabel("Server", { exact: true }).fill("127.0.0.1");
  await smtp.getByLabel("Port", { exact: true }).fill("1");
  await smtp.getByLabel("Security", { exact: true }).selectOption({ label: "None (unencrypted)" });
  await expectAccessible(page, "the new mailbox form");
  await form.getByRole("button", { name: "Save" }).click();
  const host = imap.getByLabel("Server", { exact: true });
  await expect(host).toHaveAttribute("aria-invalid", "true");
  await expect(host).toBeFocused();
  await expect(imap.getByText(/host unreachable/)).toBeVisible();
  await snap(page, info, "email-mailbox-refused");
  // Nothing was added.
  await form.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("heading", { name: /Refused/ })).toHaveCount(0);
});
