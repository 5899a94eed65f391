import { readFileSync } from "node:fs";

import { expect, test, type Download, type Page } from "@playwright/test";

import { bearer, newMember, token } from "./contacts-api";
import { expectAccessible, signIn, snap } from "./helpers";

const ROWS = 1000;
// Rows (0-based, under the header) that cannot be imported, and why; the report numbers file
// lines, the header being line 1.
const BAD: Record<number, { column: string; cells: Partial<Record<"name" | "phone" | "email" | "type", string>> }> = {
  99: { column: "Nom", cells: { name: "" } },
  199: { column: "Téléphone", cells: { phone: "12" } },
  299: { column: "E-mail", cells: { email: "nope@" } },
  399: { column: "Type", cells: { type: "martian" } },
};

/** A 1,000-row CSV as a French spreadsheet saves it: Windows-1252, semicolons, accented headers. */
function clientsCsv(run: string, code: string): Buffer {
  const lines = ["Nom;Téléphone;E-mail;Type;Étiquettes;Code interne"];
  for (let i = 0; i < ROWS; i += 1) {
    const bad = BAD[i]?.cells ?? {};
    const name = bad.name ?? `Société Import ${run} ${String(i).padStart(4, "0")}`;
    const phone = bad.phone ?? `+33 6 ${code.slice(0, 2)} ${code.slice(2, 4)} ${String(i).padStart(4, "0").replace(/(..)(..)/, "$1 $2")}`;
    const email = bad.email ?? `import-${run}-${i}@example.com`;
    const type = bad.type ?? (i % 2 ? "client" : "prospect");
    lines.push([name, phone, email, type, `e2e-${run}`, `C-${i}`].join(";"));
  }
  return Buffer.from(lines.join("\r\n") + "\r\n", "latin1");
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ download: Download; text: string }> {
  const waiting = page.waitForEvent("download");
  await click();
  const download = await waiting;
  const path = await download.path();
  return { download, text: readFileSync(path, "utf8") };
}

test("a 1,000-row CSV goes through the wizard: progress to 100%, the bad rows reported, exported, then undone", async ({ page }, info) => {
  test.setTimeout(240_000);
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`.toLowerCase();
  const code = String(1000 + Math.floor(Math.random() * 9000));
  const filename = `clients-${run}.csv`;
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

  // The clients list offers the import (the demo user is an admin).
  await page.goto("/clients");
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Imports", level: 1 })).toBeVisible();
  await expect(page.getByRole("radio", { name: "Clients" })).toBeChecked();

  // 1. Upload, straight to the presigned URL, with its progress bar.
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: filename, mimeType: "text/csv", buffer: clientsCsv(run, code) });
  await expectAccessible(page, "the import wizard's upload step");
  await snap(page, info, "import-1-upload");
  await page.getByRole("button", { name: "Upload" }).click();

  // 2. The preview: what was detected, and the suggested mapping preselected.
  await expect(page.getByRole("heading", { name: `Import of ${filename}` })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("listitem").filter({ hasText: "Columns" })).toHaveAttribute("aria-current", "step");
  const facts = page.getByRole("region", { name: "The file" });
  await expect(facts.getByRole("definition").filter({ hasText: "cp1252" })).toBeVisible();
  await expect(facts.getByRole("definition").filter({ hasText: "semicolon (;)" })).toBeVisible();
  await expect(page.getByRole("region", { name: "First rows of the file" }).getByRole("cell", { name: `Société Import ${run} 0000` })).toBeVisible();
  await expect(page.getByLabel("Column “Nom”")).toHaveValue("name");
  await expect(page.getByLabel("Column “Téléphone”")).toHaveValue("phone:work");
  await expect(page.getByLabel("Column “E-mail”")).toHaveValue("email:work");
  await expect(page.getByLabel("Column “Type”")).toHaveValue("type");
  await expect(page.getByLabel("Column “Étiquettes”")).toHaveValue("tags");
  await expect(page.getByLabel("Column “Code interne”")).toHaveValue("");
  // Every target is offered: typed phones and emails, tags, responsible, custom properties.
  const choices = await page.getByLabel("Column “Code interne”").locator("option").allTextContents();
  expect(choices).toEqual(expect.arrayContaining(["Not imported", "Phone (mobile)", "Email (personal)", "Tags", "Responsible user (their email)", "Comment"]));
  await page.getByLabel("Column “Code interne”").selectOption("comment");
  // A field chosen twice is refused before sending, with the reason shown.
  await page.getByLabel("Column “Code interne”").selectOption("name");
  await expect(page.getByText("“Name” is chosen for several columns: Nom, Code interne.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Start the import" })).toBeDisabled();
  await page.getByLabel("Column “Code interne”").selectOption("comment");
  await expect(page.getByRole("radio", { name: /^Skip them/ })).toBeChecked();
  await expectAccessible(page, "the import wizard's mapping step");
  await snap(page, info, "import-2-mapping");
  await page.getByRole("button", { name: "Start the import" }).click();

  // 3. Live progress until every row is processed.
  const progress = page.getByRole("progressbar", { name: "Import progress" });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("value", "100", { timeout: 90_000 });
  await expect(page.getByText(`1,000 of 1,000 rows (100%)`)).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Import finished" })).toHaveText(
    "Import finished: 996 created, 0 updated, 0 skipped, 4 with errors.",
  );
  await expectAccessible(page, "the import wizard's progress step");
  await snap(page, info, "import-3-done");

  // The error report names each bad row (file line), its column and the reason.
  const report = await downloaded(page, () => page.getByRole("link", { name: /Download the error report/ }).click());
  expect(report.download.suggestedFilename()).toBe(`clients-${run}-errors.csv`);
  const lines = report.text.trim().split(/\r?\n/);
  expect(lines[0]).toBe("row,column,reason,outcome");
  expect(lines.slice(1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual(
    Object.entries(BAD).map(([i, bad]) => `${Number(i) + 2},${bad.column}`),
  );
  expect(lines.slice(1).every((l) => l.endsWith(",failed"))).toBe(true);

  // Export the imported clients: the list filtered by their tag, as CSV.
  await page.getByRole("link", { name: "Open the clients list" }).click();
  await page.goto(`/clients?scope=all&tag=e2e-${run}`);
  await expect(page.getByRole("link", { name: `Société Import ${run} 0999` })).toBeVisible({ timeout: 30_000 }); // newest first
  await page.getByRole("button", { name: "Export", exact: true }).click();
  const exportPanel = page.getByRole("region", { name: "Export clients" });
  await expect(exportPanel.getByRole("radio", { name: "CSV" })).toBeChecked();
  await exportPanel.getByRole("button", { name: "Export", exact: true }).click();
  const ready = exportPanel.getByRole("link", { name: /Download the export/ });
  await expect(ready).toHaveText("Download the export (996 rows)", { timeout: 60_000 });
  await expectAccessible(page, "the export panel");
  await snap(page, info, "export-ready");
  const exported = await downloaded(page, () => ready.click());
  expect(exported.download.suggestedFilename()).toMatch(/^clients-\d{4}-\d{2}-\d{2}\.csv$/);
  const exportedLines = exported.text.replace(/^\uFEFF/, "").trim().split(/\r?\n/);
  expect(exportedLines).toHaveLength(997); // the header and the 996 imported clients
  expect(exported.text).toContain(`Société Import ${run} 0000`);

  // Undo from the history: the import's clients are gone again.
  await page.goto("/imports");
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: `Open the import of ${filename}` }) });
  await expect(row.getByRole("cell", { name: "Completed" })).toBeVisible();
  await row.getByRole("button", { name: `Undo the import of ${filename}` }).click();
  await expect(row.getByRole("group", { name: `Undo the import of ${filename}` })).toContainText("The contacts it created are deleted");
  await row.getByRole("button", { name: "Yes, undo it" }).click();
  await expect(row.getByRole("cell", { name: "Undone" })).toBeVisible({ timeout: 90_000 });
  await row.getByRole("link", { name: `Open the import of ${filename}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Import undone" })).toHaveText("Import undone: 996 contacts removed, 0 restored.");
  await expect(page.getByRole("progressbar", { name: "Undo progress" })).toHaveAttribute("value", "100");
  await snap(page, info, "import-4-undone");
  await page.goto(`/clients?scope=all&tag=e2e-${run}`);
  await expect(page.getByText("No clients match")).toBeVisible({ timeout: 30_000 });
});

test("the leads list exports its current filters as XLSX", async ({ page }, info) => {
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.goto("/leads?scope=all");
  await expect(page.getByRole("tab", { name: "All" })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("button", { name: "Export", exact: true }).click();
  const panel = page.getByRole("region", { name: "Export leads" });
  await panel.getByRole("radio", { name: "Excel (XLSX)" }).check();
  await panel.getByRole("button", { name: "Export", exact: true }).click();
  const ready = panel.getByRole("link", { name: /Download the export/ });
  await expect(ready).toBeVisible({ timeout: 60_000 });
  const waiting = page.waitForEvent("download");
  await ready.click();
  const download = await waiting;
  expect(download.suggestedFilename()).toMatch(/^leads-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK"); // an XLSX is a zip
  await snap(page, info, "export-leads-xlsx");
});

test("a manager is offered client imports and exports only, as the API allows", async ({ page, request, baseURL }, info) => {
  const member = await newMember(request, baseURL!, `Manager ${Date.now().toString(36)}`); // the managers group
  await signIn(page, member);
  await expect(page.getByRole("button", { name: `Account menu for ${member.name}` })).toBeVisible(); // the profile (and rights) loaded
  await page.goto("/leads");
  await expect(page.getByRole("heading", { name: "Leads", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Import", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Export", exact: true })).toHaveCount(0);
  await page.goto("/clients");
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByText("Import into: Clients")).toBeVisible();
  await expect(page.getByRole("radio", { name: "Leads" })).toHaveCount(0);
  await expectAccessible(page, "the imports page of a manager");
  await snap(page, info, "imports-manager");
});

test("the upload's progress bar reaches 100%, a custom-property column is imported, then undone from the history", async ({
  page,
  request,
  baseURL,
}, info) => {
  test.setTimeout(180_000);
  const slow = expect.configure({ timeout: 60_000 });
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e3)}`.toLowerCase();
  const access = await token(request, baseURL!);
  const key = `e2e_level_${run}`;
  const title = `Service level ${run}`;
  const made = await request.post(`${baseURL}/v1/properties`, { data: { key, title, kind: "text" }, headers: bearer(access) });
  expect(made.status()).toBe(201);
  const property = (await made.json()) as { id: string };
  const filename = `levels-${run}.csv`;
  // Padded with a long comment column so the (throttled) upload takes a moment.
  const rows = ["Name,Phone,Niveau,Notes"];
  for (let i = 0; i < 3; i += 1) {
    rows.push(`Gamma Import ${run} ${i},+336${Math.floor(1e7 + Math.random() * 8e7)},${["Gold", "Silver", "Bronze"][i]},${"x".repeat(20_000)}`);
  }
  const csv = Buffer.from(rows.join("\n") + "\n", "utf8");
  try {
    await signIn(page);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await page.goto("/imports");
    await expect(page.getByRole("heading", { name: "Imports", level: 1 })).toBeVisible();

    // Upload through a slow link (about 20 KB/s, answer 5 s late) so the bar is seen filling.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 5_000, downloadThroughput: -1, uploadThroughput: 20_000 });
    await page.getByLabel("File", { exact: true }).setInputFiles({ name: filename, mimeType: "text/csv", buffer: csv });
    await page.getByRole("button", { name: "Upload" }).click();
    const bar = page.getByRole("progressbar", { name: "Upload progress" });
    await slow(bar).toBeVisible();
    await slow(bar).toHaveAttribute("value", "100");
    await expect(page.getByText(/of .* uploaded \(100%\)/)).toBeVisible();
    await snap(page, info, "import-upload-100");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    // The custom property is offered as a target of the unknown column.
    await slow(page.getByRole("heading", { name: `Import of ${filename}` })).toBeVisible();
    const column = page.getByLabel("Column “Niveau”");
    await column.selectOption({ label: title });
    await expect(column).toHaveValue(`property:${key}`);
    await expect(page.getByLabel("Column “Name”")).toHaveValue("name");
    await page.getByLabel("Column “Notes”").selectOption("");
    await snap(page, info, "import-property-mapping");
    await page.getByRole("button", { name: "Start the import" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Import finished" })).toHaveText(
      "Import finished: 3 created, 0 updated, 0 skipped, 0 with errors.",
      { timeout: 90_000 },
    );

    // The value is on the imported contact.
    const found = async () => {
      const response = await request.get(`${baseURL}/v1/clients?scope=all&q=${encodeURIComponent(`Gamma Import ${run} 0`)}`, {
        headers: bearer(access),
      });
      const items = ((await response.json()) as { items: { name: string; properties: Record<string, string> }[] }).items;
      return items.find((c) => c.name === `Gamma Import ${run} 0`)?.properties[key];
    };
    await slow.poll(found).toBe("Gold");

    // The history, then the undone import.
    await page.goto("/imports");
    await expect(page.getByRole("heading", { name: "Import history" })).toBeVisible();
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: `Open the import of ${filename}` }) });
    await slow(row.getByRole("cell", { name: "Completed" })).toBeVisible();
    await expectAccessible(page, "the import history");
    await snap(page, info, "import-history");
    await row.getByRole("button", { name: `Undo the import of ${filename}` }).click();
    await row.getByRole("button", { name: "Yes, undo it" }).click();
    await slow(row.getByRole("cell", { name: "Undone" })).toBeVisible();
    await row.getByRole("link", { name: `Open the import of ${filename}` }).click();
    await expect(page.getByRole("status").filter({ hasText: "Import undone" })).toHaveText("Import undone: 3 contacts removed, 0 restored.");
    await expect(page.getByRole("progressbar", { name: "Undo progress" })).toHaveAttribute("value", "100");
    await expectAccessible(page, "an undone import");
    await snap(page, info, "import-undone");
    await slow.poll(found).toBeUndefined();
  } finally {
    // No contact holds a value any more (undone): the property can go.
    await request.delete(`${baseURL}/v1/properties/${property.id}`, { headers: bearer(access) });
  }
});
