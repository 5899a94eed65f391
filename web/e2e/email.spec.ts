import AxeBuilder from "@axe-core/playwright";
import { expect as baseExpect, test, type Page } from "@playwright/test";

import { expectAccessible, signIn, snap } from "./helpers";

// The local stack shares two cores with the browser: give its reads room.
const expect = baseExpect.configure({ timeout: 30_000 });
test.beforeEach(() => test.setTimeout(120_000));

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** axe-core outside the sandboxed frames of outside HTML (no script runs there, axe included). */
async function expectAccessibleAroundFrames(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).exclude(".email-frame").analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help}`), `accessibility of ${what}`).toEqual([]);
}

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

test("signatures are created with the error on the field, previewed safely, edited and deleted", async ({ page }, info) => {
  const name = `Sales ${unique()}`;
  await open(page, "/settings/email");
  await page.getByRole("navigation", { name: "Email settings" }).getByRole("link", { name: "Signatures" }).click();
  await expect(page.getByRole("heading", { name: "Email signatures", level: 1 })).toBeVisible();

  // Nothing typed: the API's error shows on the name.
  await page.getByRole("button", { name: "New signature" }).click();
  const form = page.getByRole("form", { name: "New signature" });
  await form.getByLabel("Signature (HTML)").fill('<p><b>Dana Demo</b><br>Sales</p><img src="https://tracker.example/p.gif" alt="">');
  await expect(form.frameLocator("iframe[title='Preview']").getByText("Dana Demo")).toBeVisible();
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Name", { exact: true })).toBeFocused();
  await snap(page, info, "email-signature-error");

  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Signature “${name}” created.` })).toBeVisible();
  const item = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name }) });
  await expect(item.frameLocator(`iframe[title='Preview of ${name}']`).getByText("Dana Demo")).toBeVisible();
  await expectAccessibleAroundFrames(page, "the signatures");
  await snap(page, info, "email-signatures");

  // Edited.
  await item.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = page.getByRole("form", { name: "Edit the signature" });
  await edit.getByLabel("Signature (HTML)").fill("<p><i>Dana</i>, head of sales</p>");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Signature “${name}” saved.` })).toBeVisible();
  await expect(item.frameLocator(`iframe[title='Preview of ${name}']`).getByText("head of sales")).toBeVisible();

  // Deleted.
  page.once("dialog", (dialog) => void dialog.accept());
  await item.getByRole("button", { name: `Delete ${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `Signature “${name}” deleted.` })).toBeVisible();
  await expect(page.getByRole("heading", { name })).toHaveCount(0);
});

test("exceptions are added with the error on the field and removed; own domains are saved", async ({ page, request }, info) => {
  // Branch i18-poll's routes: skipped where they are not merged yet.
  test.skip((await request.get("/v1/email/exceptions")).status() === 404, "GET /v1/email/exceptions is not served here");
  const domain = `${unique()}.example`;
  await open(page, "/settings/email/exceptions");
  await expect(page.getByRole("heading", { name: "Email exceptions", level: 1 })).toBeVisible();
  const form = page.getByRole("form", { name: "Add the exception" });
  const pattern = form.getByLabel("Address or @domain", { exact: true });
  await pattern.fill("x");
  await form.getByRole("button", { name: "Add the exception" }).click();
  await expect(pattern).toHaveAttribute("aria-invalid", "true");
  await expect(pattern).toBeFocused();

  await pattern.fill(`@${domain}`);
  await form.getByRole("button", { name: "Add the exception" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Exception “@${domain}” added.` })).toBeVisible();
  const list = page.getByRole("list", { name: "Email exceptions" });
  await expect(list.getByText(`@${domain}`)).toBeVisible();
  await expectAccessible(page, "the email exceptions");
  await snap(page, info, "email-exceptions");
  await list.getByRole("button", { name: `Delete @${domain}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `Exception “@${domain}” deleted.` })).toBeVisible();
  await expect(page.getByText(`@${domain}`, { exact: true })).toHaveCount(0);

  // Own domains: one per line, saved and read back.
  await page.getByRole("navigation", { name: "Email settings" }).getByRole("link", { name: "Own domains" }).click();
  await expect(page.getByRole("heading", { name: "Own email domains", level: 1 })).toBeVisible();
  const domains = page.getByRole("textbox", { name: "Domains" });
  await domains.fill(`${domain}\n@Sales.${domain}`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("textbox", { name: "Domains" })).toHaveValue(`${domain}\nsales.${domain}`);
  await expectAccessible(page, "the own domains");
  await snap(page, info, "email-domains");
});
