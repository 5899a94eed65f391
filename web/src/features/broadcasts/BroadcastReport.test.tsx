import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { BroadcastProgress, RecipientReport } from "./BroadcastReport";

const labels = {
  heading: "Progress",
  progressLabel: "Sending",
  progressText: (done: string, total: string) => `${done} of ${total}`,
  total: "Total",
  sent: "Sent",
  failed: "Failed",
  pending: "Pending",
  confirmCancel: "Sure?",
  cancel: "Cancel it",
};

describe("BroadcastProgress", () => {
  it("shows the figures and cancels a running broadcast once confirmed", async () => {
    const cancel = vi.fn(() => Promise.resolve(null));
    const confirm = vi.spyOn(window, "confirm").mockReturnValue(true);
    render(
      <QueryClientProvider client={new QueryClient()}>
        <BroadcastProgress broadcast={{ status: "running", total: 5, sent: 2, failed: 1 }} running headingId="p" sectionClassName="panel"
          progressClassName="bar" figuresClassName="figures" labels={labels} cancel={cancel} invalidate={["x"]}>
          <p role="status">Running</p>
        </BroadcastProgress>
      </QueryClientProvider>,
    );
    const section = screen.getByRole("region", { name: "Progress" });
    expect(within(section).getByRole("progressbar", { name: "Sending" })).toHaveAttribute("aria-valuetext", "3 of 5");
    expect(within(section).getByText("Pending").nextSibling).toHaveTextContent("2");
    await userEvent.click(within(section).getByRole("button", { name: "Cancel it" }));
    expect(confirm).toHaveBeenCalledWith("Sure?");
    expect(cancel).toHaveBeenCalledOnce();
    confirm.mockRestore();
  });
});

describe("RecipientReport", () => {
  it("filters the failures", async () => {
    const recipients = [
      { status: "sent", name: "Ann" },
      { status: "failed", name: "Bob" },
    ];
    render(
      <RecipientReport recipients={recipients} headingId="r" heading="Report" failuresOnly="Failures only" columns={["Contact", "Email", "Status", "Reason"]}
        sectionClassName="panel" checkClassName="check" tableClassName="table" captionClassName="sr"
        row={(r, i) => (
          <tr key={i}>
            <td>{r.name}</td>
            <td />
            <td>{r.status}</td>
            <td />
          </tr>
        )} />,
    );
    const table = screen.getByRole("table", { name: "Report" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Contact", "Email", "Status", "Reason"]);
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    await userEvent.click(screen.getByRole("checkbox", { name: "Failures only" }));
    expect(within(table).getAllByRole("row")).toHaveLength(2);
    expect(within(table).getByText("Bob")).toBeInTheDocument();
  });
});
