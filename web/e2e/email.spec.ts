import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect as baseExpect, test, type APIRequestContext, type Page } from "@playwright/test";

import { bearer, token } from "./contacts-api";
import { expectAccessible, signIn, snap } from "./helpers";

const ROOT = resolve(import.meta.dirname, "../..");

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
  await expect(page.getByRole("heading", { name: /Refused/ })).toHaveCount(0);

  // The stack's demo IMAP server (pymap) and SMTP catcher: the test passes, the mailbox is listed.
  test.skip(!process.env.E2E_IMAP_PORT || !process.env.E2E_SMTP_PORT, "no local mail servers here");
  const name = `Team box ${unique()}`;
  await form.getByLabel("Name", { exact: true }).fill(name);
  await imap.getByLabel("Port", { exact: true }).fill(process.env.E2E_IMAP_PORT!);
  await imap.getByLabel("Username", { exact: true }).fill("sales@demo.example");
  await imap.getByLabel("Password", { exact: true }).fill("demo-mailbox");
  await smtp.getByLabel("Port", { exact: true }).fill(process.env.E2E_SMTP_PORT!);
  await form.getByRole("radio", { name: "Everyone in the CRM" }).check();
  await form.getByLabel("Leads from mail").selectOption("received");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Mailbox “${name}” connected.` })).toBeVisible();
  const item = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name }) });
  await expect(item).toContainText("Shared with everyone");
  await item.getByRole("button", { name: `Sync ${name} now` }).click();
  await expect(page.getByRole("status").filter({ hasText: new RegExp(`${name} (checked: \\d+ new email|started)`) })).toBeVisible();
  await expect(item.getByText("OK", { exact: true })).toBeVisible();
  await expectAccessible(page, "the mailboxes");
  await snap(page, info, "email-mailboxes");

  // Edited (the password kept), then deleted.
  await item.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = page.getByRole("form", { name: `Edit ${name}` });
  await expect(edit.getByLabel("Password", { exact: true })).toHaveValue("");
  await edit.getByLabel("Leads from mail").selectOption("none");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Mailbox “${name}” saved.` })).toBeVisible();
  page.once("dialog", (dialog) => void dialog.accept());
  await item.getByRole("button", { name: `Delete ${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `Mailbox “${name}” deleted.` })).toBeVisible();
  await expect(page.getByRole("heading", { name })).toHaveCount(0);
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

async function newClient(request: APIRequestContext, baseURL: string, access: string, name: string, email?: string) {
  const created = await request.post(`${baseURL}/v1/clients`, {
    data: { name, ...(email ? { emails: [{ email, type: "work" }] } : {}) },
    headers: bearer(access),
  });
  if (!created.ok()) throw new Error(`client: ${created.status()} ${await created.text()}`);
  return (await created.json()) as { id: string; name: string };
}

/** A mailbox sending through the stack's SMTP catcher, and one email received from `from`. */
function seedMailbox(from: string, subject: string): { integration_id: string; email_id: string | null } {
  const out = execFileSync(
    process.env.PYTHON ?? resolve(ROOT, ".venv/bin/python"),
    ["web/e2e/seed_mailbox.py", "--moto-port", process.env.E2E_MOTO_PORT!, "--smtp-port", process.env.E2E_SMTP_PORT!,
      "--from-address", from, "--subject", subject],
    { cwd: ROOT, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").at(-1)!) as { integration_id: string; email_id: string | null };
}

test("an email in a client's feed is read and answered, one is sent from the card, and a broadcast reports each recipient", async ({
  page,
  request,
  baseURL,
}, info) => {
  test.skip(!process.env.E2E_SMTP_PORT, "the local stack has no SMTP catcher here");
  const tag = unique();
  const access = await token(request, baseURL!);
  const annAddress = `ann-${tag}@example.com`;
  const ann = await newClient(request, baseURL!, access, `Ann Mail ${tag}`, annAddress);
  const bob = await newClient(request, baseURL!, access, `Bob Mail ${tag}`, `bob-${tag}@example.com`);
  const eve = await newClient(request, baseURL!, access, `Eve Mail ${tag}`); // no address
  const subject = `Quote ${tag}`;
  const seeded = seedMailbox(annAddress, subject);
  expect(seeded.email_id).toBeTruthy();
  const signature = await request.post(`${baseURL}/v1/email/signatures`, {
    data: { name: `Dana ${tag}`, html: "<p>Dana Demo, sales</p>" },
    headers: bearer(access),
  });
  expect(signature.ok(), await signature.text()).toBe(true);

  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(`/clients/${ann.id}`);
  await expect(page.getByRole("heading", { name: ann.name, level: 1 })).toBeVisible();
  const feed = page.getByRole("list", { name: "Activity" });
  const received = feed.getByRole("listitem").filter({ hasText: subject });
  await expect(received).toContainText("Email received");
  await expect(received).toContainText("1 attachment");
  await expect(received).toContainText("Could you send me the quote");

  // Opened (GET /v1/emails/{id}, branch i18-poll): the HTML in its frame, the attachment, Reply.
  if ((await request.get(`${baseURL}/v1/emails/${seeded.email_id}`, { headers: bearer(access) })).status() !== 404) {
    await received.getByRole("button", { name: `Open the email “${subject}”` }).click();
    const view = page.getByRole("article", { name: subject });
    await expect(view.frameLocator("iframe[title=\"The email's content\"]").getByText("quote")).toBeVisible();
    await expect(view.getByRole("link", { name: "Download brief.pdf" })).toBeVisible();
    await view.getByRole("radio", { name: "Plain text" }).check();
    await expect(view.getByText("Could you send me the quote for the blue model?")).toBeVisible();
    await snap(page, info, "email-read");
    await view.getByRole("button", { name: `Reply to “${subject}”` }).click();
    const reply = page.getByRole("form", { name: "Reply" });
    await expect(reply.getByLabel("To", { exact: true })).toHaveValue(annAddress);
    await expect(reply.getByLabel("Subject")).toHaveValue(`Re: ${subject}`);
    await reply.getByLabel("Message").fill("Here is the quote.");
    await reply.getByRole("button", { name: "Send" }).click();
    await expect(view.getByRole("status").filter({ hasText: `Email sent to ${annAddress}.` })).toBeVisible();
    await expect(feed.getByRole("listitem").filter({ hasText: `Re: ${subject}` })).toContainText("Email sent");
  }

  // Sent from the card: the address filled in, a signature, an error on the field first.
  await page.getByRole("group", { name: "Actions" }).getByRole("button", { name: "Email", exact: true }).click();
  const compose = page.getByRole("form", { name: "New email" });
  await expect(compose.getByLabel("To", { exact: true })).toHaveValue(annAddress);
  await expect(compose.getByLabel("Send from")).toContainText("E2E mailbox");
  await compose.getByLabel("To", { exact: true }).fill("not-an-address");
  await compose.getByLabel("Subject").fill(`Hello ${tag}`);
  await compose.getByLabel("Message").fill("Nice to meet you.");
  await compose.getByLabel("Signature").selectOption({ label: `Dana ${tag}` });
  await compose.getByRole("button", { name: "Send" }).click();
  await expect(compose.getByLabel("To", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(compose.getByLabel("To", { exact: true })).toBeFocused();
  await snap(page, info, "email-compose-error");
  await compose.getByLabel("To", { exact: true }).fill(annAddress);
  await expectAccessible(page, "the email form");
  await compose.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Email sent to ${annAddress}.` })).toBeVisible();
  await expect(feed.getByRole("listitem").filter({ hasText: `Hello ${tag}` })).toContainText("Email sent");
  await snap(page, info, "email-sent-from-card");

  // A broadcast to a selection: one message each; Eve has no address.
  await page.goto(`/clients?q=${tag}`);
  for (const c of [ann, bob, eve]) await expect(page.getByRole("row", { name: new RegExp(c.name) })).toBeVisible();
  await page.getByRole("checkbox", { name: "Select all shown" }).check();
  await page.getByRole("link", { name: "Email broadcast", exact: true }).click();
  await expect(page.getByRole("heading", { name: "New email broadcast" })).toBeVisible();
  const chosen = page.getByRole("list", { name: "Chosen recipients" });
  for (const c of [ann, bob, eve]) await expect(chosen).toContainText(c.name);
  await page.getByLabel("Subject").fill(`News ${tag}`);
  await page.getByLabel("Message").fill("Our new catalogue is out.");
  await page.getByLabel("Signature").selectOption({ label: `Dana ${tag}` });
  await expectAccessible(page, "the new email broadcast");
  await snap(page, info, "email-broadcast-new");
  await page.getByRole("button", { name: "Send to 3 recipients" }).click();

  await expect(page.getByRole("heading", { name: "Email broadcast", level: 1 })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /Completed|Failed/ })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("progressbar", { name: "Messages handled" })).toHaveAttribute("aria-valuetext", "3 of 3");
  const report = page.getByRole("table", { name: "Report" });
  await expect(report.getByRole("row", { name: new RegExp(`${ann.name}.*Sent`) })).toBeVisible();
  await expect(report.getByRole("row", { name: new RegExp(`${bob.name}.*Sent`) })).toBeVisible();
  await expect(report.getByRole("row", { name: new RegExp(`${eve.name}.*Failed`) })).toBeVisible();
  await page.getByLabel("Only failures").check();
  await expect(report.getByRole("row")).toHaveCount(2);
  await expectAccessible(page, "the email broadcast report");
  await snap(page, info, "email-broadcast-report");

  // Listed with its counts.
  await page.getByRole("link", { name: "← All email broadcasts" }).click();
  const row = page.getByRole("table", { name: "Email broadcasts" }).getByRole("row", { name: new RegExp(`News ${tag}`) });
  await expect(row.getByRole("cell")).toHaveText([/./, `News ${tag}`, /./, "3", "2", "1"]);
});

test("the demo client's mail is read in its feed and answered through the demo mailbox", async ({ page, request, baseURL }, info) => {
  const access = await token(request, baseURL!);
  const found = await request.get(`${baseURL}/v1/clients?q=Acme`, { headers: bearer(access) });
  const acme = ((await found.json()) as { items: { id: string; name: string }[] }).items[0];
  test.skip(!acme, "no demo client");
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto(`/clients/${acme!.id}`);
  const feed = page.getByRole("list", { name: "Activity" });
  const openButton = page.getByRole("button", { name: "Open the email “Maintenance contract renewal”", exact: true });
  const open = feed.getByRole("button", { name: "Open the email “Maintenance contract renewal”", exact: true });
  // The demo mailbox is read a few seconds after start-up: reload until its mail is in.
  await expect(async () => {
    await page.reload();
    await expect(open).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 90_000 });
  const entry = feed.getByRole("listitem").filter({ has: openButton });
  await expect(entry).toContainText("Email received");
  await expect(entry).toContainText("office@acme-dental.example");
  await open.click();
  const view = page.getByRole("article", { name: "Maintenance contract renewal" });
  await expect(view).toContainText("Could you send us the offer for next year?");
  await expectAccessibleAroundFrames(page, "an email opened in the feed");
  await snap(page, info, "email-demo-read");

  await view.getByRole("button", { name: "Reply to “Maintenance contract renewal”" }).click();
  const reply = page.getByRole("form", { name: "Reply" });
  await expect(reply.getByLabel("To", { exact: true })).toHaveValue("office@acme-dental.example");
  await reply.getByLabel("Send from").selectOption({ label: "Demo sales mailbox <sales@demo.example>" });
  const text = `The offer is attached, ${unique()}.`;
  await reply.getByLabel("Message").fill(text);
  await reply.getByRole("button", { name: "Send" }).click();
  await expect(view.getByRole("status").filter({ hasText: "Email sent to office@acme-dental.example." })).toBeVisible();
  const sent = feed.getByRole("listitem").filter({ hasText: text });
  await expect(sent).toContainText("Email sent");
  await expect(sent).toContainText("Re: Maintenance contract renewal");
  await snap(page, info, "email-demo-replied");

  // From the client's deal: the email is in the deal's feed.
  const deals = await request.get(`${baseURL}/v1/deals?client_id=${acme!.id}`, { headers: bearer(access) });
  const deal = deals.ok() ? ((await deals.json()) as { items?: { id: string; title: string }[] }).items?.[0] : undefined;
  test.skip(!deal, "no deal of the demo client");
  await page.goto(`/deals/${deal!.id}`);
  await expect(page.getByRole("heading", { name: deal!.title, level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Email", exact: true }).click();
  const compose = page.getByRole("form", { name: "New email" });
  await expect(compose.getByLabel("To", { exact: true })).toHaveValue("office@acme-dental.example");
  await compose.getByLabel("Send from").selectOption({ label: "Demo sales mailbox <sales@demo.example>" });
  const subject = `Offer ${unique()}`;
  await compose.getByLabel("Subject").fill(subject);
  await compose.getByLabel("Message").fill("Please find our offer for next year.");
  await compose.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Email sent to office@acme-dental.example." })).toBeVisible();
  const dealFeed = page.getByRole("region", { name: "Activity" });
  await expect(dealFeed.getByRole("listitem").filter({ hasText: subject })).toContainText("Email sent");
  await expectAccessible(page, "the deal page with an email");
  await snap(page, info, "email-from-deal");
});
