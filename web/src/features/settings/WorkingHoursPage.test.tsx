import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../../test/render";

const group = { id: "G1", type: "trainee", title: "Trainees", permissions: {}, version: 1 };
const me = {
  id: "U1", name: "Demo User", email: "demo@example.com", language: "en", extension: "100", timezone: "Europe/Paris",
  week_start: "monday", telephony_mode: "webphone", phones: [], avatar_url: null, version: 7, group,
};
const tokens = { accessToken: "A", refreshToken: "R" };

function serve(put: (body: Record<string, unknown>) => Response) {
  return async (request: Request) => {
    const path = new URL(request.url).pathname;
    if (path === "/v1/me") return json(200, me);
    if (path === "/v1/me/working-hours" && request.method === "GET") {
      return json(404, { error: { code: "not_found", message: "no working hours are set", field: "working_hours" } });
    }
    if (path === "/v1/me/working-hours" && request.method === "PUT") return put((await request.json()) as Record<string, unknown>);
    if (path === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    return json(404, { error: { code: "not_found", message: "Not found" } });
  };
}

// The lazy chunk and a select of every time zone are slow to render in jsdom on a busy machine.
describe("the working-hours editor", { timeout: 30_000 }, () => {
  it("saves a day-night-48 cycle and previews it", async () => {
    const sent: Record<string, unknown>[] = [];
    renderApp(
      "/settings/working-hours",
      serve((body) => {
        sent.push(body);
        const { version: _, ...schedule } = body;
        return json(200, { ...schedule, version: 8 });
      }),
      { tokens },
    );
    expect(await screen.findByText(/No working hours are set/, {}, { timeout: 15_000 })).toBeInTheDocument();
    // Admin-only sections are not offered to a trainee.
    const sections = screen.getByRole("navigation", { name: "Settings sections" });
    expect(within(sections).getAllByRole("link").map((l) => l.textContent)).toEqual([
      "Profile", "Working hours", "Custom properties", "Source tags", "Email", "API keys", "Webhooks",
      "Google Calendar",
    ]);
    await userEvent.click(screen.getByRole("button", { name: "Day-night-48 (4-day cycle)" }));
    expect(screen.getByLabelText("Cycle length (days)")).toHaveValue(4);
    const preview = screen.getByRole("region", { name: "The next 14 days" });
    expect(within(preview).getAllByRole("listitem")[1]).toHaveTextContent("20:00–08:00 (next day)");
    expect(within(preview).getAllByRole("listitem")[2]).toHaveTextContent("Off");
    await userEvent.click(screen.getByRole("button", { name: "Save the working hours" }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({
      timezone: "Europe/Paris",
      period_days: 4,
      shifts: [{ day: 0, start: "08:00", end: "20:00" }, { day: 1, start: "20:00", end: "08:00" }],
      exceptions: [],
      version: 7,
    });
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
  });

  it("shows the API's error on the shift field it names", async () => {
    renderApp(
      "/settings/working-hours",
      serve(() => json(400, { error: { code: "validation_error", message: "overlaps an earlier shift of the same day", field: "shifts[1]" } })),
      { tokens },
    );
    await userEvent.click(await screen.findByRole("button", { name: "Add a shift" }, { timeout: 15_000 }));
    await userEvent.click(screen.getByRole("button", { name: "Save the working hours" }));
    const shift = await screen.findByRole("group", { name: "Shift 2" });
    expect(within(shift).getByText("overlaps an earlier shift of the same day")).toBeInTheDocument();
  });
});
