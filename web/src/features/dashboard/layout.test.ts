// @vitest-environment node
import { describe, expect, it } from "vitest";

import { hiddenWidgets, moveWidget, ordered, setVisible, toPlacements, visibleWidgets, type WidgetOut } from "./layout";

const ids = ["clients", "my_leads", "tasks_completed", "tasks_overdue", "tasks_in_progress", "my_calls", "new_leads"] as const;
const widgets: WidgetOut[] = ids.map((id, position) => ({ id, position, visible: true, data: { n: position } }));
const order = (list: WidgetOut[]) => list.map((w) => w.id);

describe("the dashboard's layout", () => {
  it("orders by position whatever the order received", () => {
    const shuffled = [widgets[3]!, { ...widgets[0]!, position: 9 }, widgets[1]!];
    expect(order(ordered(shuffled))).toEqual(["my_leads", "tasks_overdue", "clients"]);
  });

  it("moves a widget forwards and backwards and renumbers the positions", () => {
    const forwards = moveWidget(widgets, "clients", "tasks_overdue");
    expect(order(forwards)).toEqual(["my_leads", "tasks_completed", "tasks_overdue", "clients", "tasks_in_progress", "my_calls", "new_leads"]);
    expect(forwards.map((w) => w.position)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const backwards = moveWidget(widgets, "new_leads", "my_leads");
    expect(order(backwards)).toEqual(["clients", "new_leads", "my_leads", "tasks_completed", "tasks_overdue", "tasks_in_progress", "my_calls"]);
    // The data goes with its widget.
    expect(backwards[1]!.data).toEqual({ n: 6 });
  });

  it("leaves the order alone for a move onto itself or an unknown widget", () => {
    expect(order(moveWidget(widgets, "my_calls", "my_calls"))).toEqual([...ids]);
    expect(order(moveWidget(widgets.slice(1), "clients", "my_calls"))).toEqual(ids.slice(1));
  });

  it("hides a widget and shows it again in its place", () => {
    const hidden = setVisible(widgets, "tasks_overdue", false);
    expect(order(visibleWidgets(hidden))).toEqual(ids.filter((id) => id !== "tasks_overdue"));
    expect(order(hiddenWidgets(hidden))).toEqual(["tasks_overdue"]);
    // Hidden widgets keep their relative place when others move around them.
    const moved = moveWidget(hidden, "clients", "my_calls");
    expect(order(moved)).toEqual(["my_leads", "tasks_completed", "tasks_overdue", "tasks_in_progress", "my_calls", "clients", "new_leads"]);
    const shown = setVisible(moved, "tasks_overdue", true);
    expect(order(visibleWidgets(shown))).toEqual(order(moved));
  });

  it("answers every widget for the layout request, positions 0..6", () => {
    const placements = toPlacements(setVisible(moveWidget(widgets, "my_calls", "clients"), "new_leads", false));
    expect(placements).toEqual([
      { id: "my_calls", visible: true, position: 0 },
      { id: "clients", visible: true, position: 1 },
      { id: "my_leads", visible: true, position: 2 },
      { id: "tasks_completed", visible: true, position: 3 },
      { id: "tasks_overdue", visible: true, position: 4 },
      { id: "tasks_in_progress", visible: true, position: 5 },
      { id: "new_leads", visible: false, position: 6 },
    ]);
  });
});
