import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, type TestInfo } from "@playwright/test";

export const DEMO = { crm: "demo", email: "demo@example.com", password: "demo-password", name: "Dana Demo" };

export async function signIn(page: Page, who: { crm: string; email: string; password: string } = DEMO) {
  await page.goto("/sign-in");
  await page.getByLabel("CRM name").fill(who.crm);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A named screenshot in test-results/ (git-ignored), beside the one Playwright takes at the end. */
export async function snap(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

/**
 * After a keyboard drag starts: dnd-kit's keyboard sensor adds its key listener in a timer of
 * the key that picked the item up, which a busy page may run after it announced the pick-up. A
 * timer set now runs after that one: then the next key is heard.
 */
export async function sensorListening(page: Page) {
  await page.evaluate(() => new Promise((done) => setTimeout(done, 0)));
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(summary, `accessibility of ${what}`).toEqual([]);
}
