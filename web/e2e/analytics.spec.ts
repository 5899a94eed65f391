import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";

import { formats } from "../src/features/analytics/format";
import { addDays, presetPeriod, todayIn } from "../src/features/analytics/period";
import { en } from "../src/features/analytics/i18n";
import { DEMO, expectAccessible, signIn, snap } from "./helpers";

type Money = { amount: string; currency: string };
interface DealsReport {
  from: string;
  to: string;
  interval: "day" | "week" | "month";
  totals: { created: number; won: number; canceled: number; won_value: Money; conversion: number; avg_duration_days: number | null };
  funnel: { status: string; count: number }[];
  series: { date: string; created: number; won: number; won_value: Money }[];
}

const fmt = formats("en");
const STATUS: Record<string, string> = {
  new: "New", in_progress: "In progress", decision: "Decision", payment: "Payment", success: "Won", canceled: "Canceled",
};

async function login(request: APIRequestContext, baseURL: string) {
  const reply = await request.post(`${baseURL}/v1/auth/login`, { data: { crm: DEMO.crm, email: DEMO.email, password: DEMO.password } });
  expect(reply.status()).toBe(200);
  const body = (await reply.json()) as { access_token: string; user: { id: string; name: string } };
  return { headers: { Authorization: `Bearer ${body.access_token}` }, user: body.user };
}

/** The report as the API gives it, for the query the page sent. */
async function report<T>(request: APIRequestContext, baseURL: string, headers: Record<string, string>, name: string, query: URLSearchParams) {
  const reply = await request.get(`${baseURL}/v1/analytics/${name}?${query.toString()}`, { headers });
  expect(reply.status()).toBe(200);
  return (await reply.json()) as T;
}

/**
 * The demo history is written in the background after start-up, oldest day first (about two
 * minutes): wait until its last working day has calls and the figures have stopped moving.
 */
async function waitForHistory(request: APIRequestContext, baseURL: string, headers: Record<string, string>) {
  const company = (await (await request.get(`${baseURL}/v1/settings/company`, { headers })).json()) as { timezone: string };
  let day = addDays(todayIn(company.timezone), -1);
  while ([0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())) day = addDays(day, -1);
  let previous = "";
  await expect
    .poll(
      async () => {
        const calls = await report<{ totals: { incoming: number; outgoing: number; missed: number } }>(
          request, baseURL, headers, "calls", new URLSearchParams({ from: day, to: day }),
        );
        const team = JSON.stringify(await report<unknown>(request, baseURL, headers, "team", new URLSearchParams()));
        const settled = calls.totals.incoming + calls.totals.outgoing + calls.totals.missed > 0 && team === previous;
        previous = team;
        return settled;
      },
      { timeout: 240_000, intervals: [5_000] },
    )
    .toBe(true);
}

/** A table's body rows as text: the row header, then the cells. */
async function rows(table: Locator): Promise<string[][]> {
  const out: string[][] = [];
  for (const row of await table.getByRole("row").all()) {
    const cells = [...(await row.getByRole("rowheader").allTextContents()), ...(await row.getByRole("cell").allTextContents())];
    if (cells.length) out.push(cells);
  }
  return out;
}

/** A chart's data table, opened if folded away. */
async function table(page: Page, title: string): Promise<Locator> {
  const main = page.getByRole("main");
  const found = main.getByRole("table", { name: title });
  const disclosure = main.getByText(`Data table: ${title}`, { exact: true });
  await expect(found.or(disclosure).first()).toBeVisible();
  if (!(await found.isVisible())) await disclosure.click();
  await expect(found).toBeVisible();
  return found;
}

/** What the deals page shows: its totals and the figures of its charts (their data tables). */
async function shownDeals(page: Page) {
  return {
    totals: await page.getByRole("main").getByRole("list", { name: "Totals" }).getByRole("listitem").allInnerTexts(),
    series: await rows(await table(page, "Deals over time")),
    funnel: await rows(await table(page, "Funnel")),
    value: await rows(await table(page, "Won value over time")),
  };
}

/** The same, from the API's figures. */
function expectedDeals(r: DealsReport) {
  const avg = r.totals.avg_duration_days;
  return {
    totals: [
      `Created\n${fmt.count(r.totals.created)}`,
      `Won\n${fmt.count(r.totals.won)}`,
      `Canceled\n${fmt.count(r.totals.canceled)}`,
      `Conversion\n${fmt.percent(r.totals.conversion)}`,
      `Average days to win\n${avg === null ? "–" : fmt.days(avg)}`,
      `Won value\n${fmt.money(r.totals.won_value)}`,
    ],
    series: r.series.map((p) => [fmt.bucket(p.date, r.interval), fmt.count(p.created), fmt.count(p.won), fmt.money(p.won_value)]),
    funnel: r.funnel.map((s) => [STATUS[s.status]!, fmt.count(s.count)]),
    value: r.series.map((p) => [fmt.bucket(p.date, r.interval), fmt.money(p.won_value)]),
  };
}

const isReport = (name: string) => (r: { url: () => string; request: () => { method: () => string } }) =>
  new URL(r.url()).pathname === `/v1/analytics/${name}` && r.request().method() === "GET";

/**
 * The page's figures equal the API's for the query the page sends. The demo history is written
 * in the background after start-up, so the figures may move: reload until the two agree.
 */
async function expectDealsAgree(page: Page, request: APIRequestContext, baseURL: string, headers: Record<string, string>) {
  let last: { shown: unknown; expected: unknown; query: URLSearchParams } | undefined;
  await expect
    .poll(
      async () => {
        const sent = page.waitForResponse(isReport("deals"));
        await page.reload();
        const query = new URL((await sent).url()).searchParams;
        await expect(page.getByRole("list", { name: "Totals" })).toBeVisible();
        const shown = await shownDeals(page);
        const expected = expectedDeals(await report<DealsReport>(request, baseURL, headers, "deals", query));
        last = { shown, expected, query };
        return JSON.stringify(shown) === JSON.stringify(expected);
      },
      { timeout: 90_000, intervals: [1_000, 2_000, 5_000] },
    )
    .toBe(true)
    .catch(() => undefined); // the difference, if any, is shown by the next line
  expect(last!.shown).toEqual(last!.expected);
  return last!.query;
}

test("the deals analytics page shows the API's figures, by period and by user", async ({ page, request, baseURL }, info) => {
  test.setTimeout(420_000); // the demo history may still be on its way
  const demo = await login(request, baseURL!);
  await waitForHistory(request, baseURL!, demo.headers);

  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics" }).click();
  await expect(page).toHaveURL(/\/analytics\/deals$/);
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Deals" })).toBeVisible();
  await expect(page.getByLabel("Period")).toHaveValue("last_30_days");

  // The default period: the last 30 days of the company's time zone, by day, the whole CRM.
  const company = (await (await request.get(`${baseURL}/v1/settings/company`, { headers: demo.headers })).json()) as { timezone: string };
  const today = todayIn(company.timezone);
  let query = await expectDealsAgree(page, request, baseURL!, demo.headers);
  expect(Object.fromEntries(query)).toEqual({ ...presetPeriod("last_30_days", today, "monday"), interval: "day" });
  await expect(page.getByRole("img", { name: /^Chart: Deals over time/ })).toBeVisible();
  await expectAccessible(page, "the deals analytics");
  await snap(page, info, "analytics-deals");

  // A preset: this year, grouped by week by default.
  await page.getByLabel("Period").selectOption({ label: "This year" });
  await expect(page).toHaveURL(/period=this_year/);
  await expect(page.getByLabel("Group by")).toHaveValue("week");
  query = await expectDealsAgree(page, request, baseURL!, demo.headers);
  expect(Object.fromEntries(query)).toEqual({ ...presetPeriod("this_year", today, "monday"), interval: "week" });
  await snap(page, info, "analytics-deals-this-year");

  // Custom dates, by day.
  await page.getByLabel("Period").selectOption({ label: "Custom dates" });
  const from = presetPeriod("last_month", today, "monday").from;
  await page.getByLabel("From").fill(from);
  await page.getByLabel("Group by").selectOption({ label: "Day" });
  query = await expectDealsAgree(page, request, baseURL!, demo.headers);
  expect(Object.fromEntries(query)).toEqual({ from, to: presetPeriod("last_30_days", today, "monday").to, interval: "day" });

  // One user's figures: the user filter sends user_id and shows that user's report.
  await page.getByLabel("Period").selectOption({ label: "Last 30 days" });
  await page.getByLabel("User").selectOption({ label: DEMO.name });
  await expect(page).toHaveURL(new RegExp(`user=${demo.user.id}`));
  query = await expectDealsAgree(page, request, baseURL!, demo.headers);
  expect(query.get("user_id")).toBe(demo.user.id);
  await expectAccessible(page, "the deals analytics of one user");
  await snap(page, info, "analytics-deals-one-user");

  // Back to the whole CRM.
  await page.getByLabel("User").selectOption({ label: "Whole CRM" });
  query = await expectDealsAgree(page, request, baseURL!, demo.headers);
  expect(query.get("user_id")).toBeNull();
});

test("every analytics report has its page: charts, tables equal to the API's, no accessibility violation", async ({ page, request, baseURL }, info) => {
  test.setTimeout(360_000);
  const demo = await login(request, baseURL!);
  await waitForHistory(request, baseURL!, demo.headers);
  await signIn(page);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  const users = (await (await request.get(`${baseURL}/v1/users?limit=100`, { headers: demo.headers })).json()) as {
    items: { id: string; name: string }[];
  };
  const name = (id: string) => users.items.find((u) => u.id === id)?.name ?? "Unknown user";
  // The demo CRM has no source tags: one, with a lead carrying it, for the sources report.
  const tag = await request.post(`${baseURL}/v1/source-tags`, {
    data: { param: "utm_source", value: `newsletter-${Date.now().toString(36)}` },
    headers: demo.headers,
  });
  expect(tag.status()).toBe(201);
  const { id: tagId } = (await tag.json()) as { id: string };
  const lead = await request.post(`${baseURL}/v1/leads`, {
    data: { name: "Sourced Lead", source_tag_ids: [tagId], responsible_user_id: demo.user.id },
    headers: demo.headers,
  });
  expect(lead.status()).toBe(201);

  const checks: Record<string, { table: string; rows: (r: never) => string[][] }> = {
    calls: {
      table: "Calls per user",
      rows: (r: { by_user: { user_id: string; incoming: number; outgoing: number; missed: number; duration_s: number }[] }) =>
        r.by_user.map((u) => [name(u.user_id), fmt.count(u.incoming), fmt.count(u.outgoing), fmt.count(u.missed), fmt.duration(u.duration_s)]),
    },
    sources: {
      table: "Leads, clients and deals per source",
      rows: (r: { items: { param: string; value: string; leads: number; clients: number; deals: number; won_value: Money }[] }) =>
        r.items.map((i) => [`${i.param}: ${i.value}`, fmt.count(i.leads), fmt.count(i.clients), fmt.count(i.deals), fmt.money(i.won_value)]),
    },
    leads: {
      table: "Leads by lead source",
      rows: (r: { by_source: { lead_source: string; count: number }[] }) =>
        r.by_source.map((s) => [
          (en.leadSources as Record<string, string>)[s.lead_source] ?? s.lead_source,
          fmt.count(s.count),
        ]),
    },
    clients: {
      table: "Clients created per user",
      rows: (r: { by_user: { user_id: string; created: number }[] }) => r.by_user.map((u) => [name(u.user_id), fmt.count(u.created)]),
    },
    tasks: {
      table: "Tasks per user",
      rows: (r: { by_user: { user_id: string; open: number; completed: number; overdue: number }[] }) =>
        r.by_user.map((u) => [name(u.user_id), fmt.count(u.open), fmt.count(u.completed), fmt.count(u.overdue)]),
    },
    team: {
      table: "Team productivity",
      rows: (r: {
        by_user: {
          user_id: string; calls: number; talk_s: number; clients_created: number; leads_converted: number; deals_won: number;
          won_value: Money; tasks_completed: number;
        }[];
      }) =>
        r.by_user.map((u) => [
          name(u.user_id), fmt.count(u.calls), fmt.duration(u.talk_s), fmt.count(u.clients_created), fmt.count(u.leads_converted),
          fmt.count(u.deals_won), fmt.count(u.tasks_completed), fmt.money(u.won_value),
        ]),
    },
  };

  await page.goto("/analytics/deals?period=this_month");
  for (const [report, check] of Object.entries(checks)) {
    const tab = page.getByRole("navigation", { name: "Reports" }).getByRole("link", { name: new RegExp(`^${report}$`, "i") });
    await tab.click();
    await expect(page).toHaveURL(new RegExp(`/analytics/${report}\\?period=this_month`));
    await expect(tab).toHaveAttribute("aria-current", "page");
    // The period follows from one report to the next; the figures equal the API's (the demo
    // history may still be on its way: reload until they agree).
    let last: { shown: string[][]; expected: string[][] } = { shown: [], expected: [] };
    await expect
      .poll(
        async () => {
          const sent = page.waitForResponse(isReport(report));
          await page.reload();
          const query = new URL((await sent).url()).searchParams;
          const shown = await rows(await table(page, check.table));
          const expected = check.rows((await report_(query, report)) as never);
          last = { shown, expected };
          return JSON.stringify(shown) === JSON.stringify(expected) && expected.length > 0;
        },
        { timeout: 90_000, intervals: [1_000, 2_000, 5_000] },
      )
      .toBe(true)
      .catch(() => undefined); // the difference, if any, is shown next
    expect(last.shown).toEqual(last.expected);
    expect(last.expected.length).toBeGreaterThan(0);
    await expectAccessible(page, `the ${report} analytics`);
    await snap(page, info, `analytics-${report}`);
  }

  async function report_(query: URLSearchParams, name: string) {
    return report<unknown>(request, baseURL!, demo.headers, name, query);
  }
});
