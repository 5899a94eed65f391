// @vitest-environment node
import { describe, expect, it } from "vitest";

import {
  exportFilters,
  groupTargets,
  hasProblems,
  importProgress,
  initialMapping,
  isActive,
  isUndoable,
  mappingProblems,
  startMapping,
} from "./mapping";

const base = { status: "running", total: 1000, processed: 0, created: 0, updated: 0, deleted: 0, restored: 0 };

describe("the column mapping", () => {
  it("preselects the suggested targets and leaves the others unmapped", () => {
    const mapping = initialMapping(["Nom", "Tél", "Notes"], { Nom: "name", Tél: "phone:work", Notes: null });
    expect(mapping).toEqual({ Nom: "name", Tél: "phone:work", Notes: "" });
    expect(startMapping(mapping)).toEqual({ Nom: "name", Tél: "phone:work", Notes: null });
  });

  it("needs a name column", () => {
    expect(mappingProblems({ Tel: "phone:work" }).needName).toBe(true);
    expect(hasProblems(mappingProblems({ Name: "name", Tel: "phone:work" }))).toBe(false);
  });

  it("refuses a single field from two columns, but allows phones, emails and tags from several", () => {
    const problems = mappingProblems({
      A: "name",
      B: "name",
      C: "phone:work",
      D: "phone:work",
      E: "email:work",
      F: "email:work",
      G: "tags",
      H: "tags",
      I: "property:budget",
      J: "property:budget",
    });
    expect(problems.needName).toBe(false);
    expect(problems.twice).toEqual([
      { target: "name", columns: ["A", "B"] },
      { target: "property:budget", columns: ["I", "J"] },
    ]);
  });

  it("groups every target the API offers", () => {
    const groups = groupTargets(["name", "tags", "responsible_email", "phone:work", "phone:mobile", "email:work", "property:budget"]);
    expect(groups).toEqual({
      fields: ["name", "tags", "responsible_email"],
      phones: ["phone:work", "phone:mobile"],
      emails: ["email:work"],
      properties: ["property:budget"],
    });
  });
});

describe("progress", () => {
  it("is unknown while the file is read, then the share of rows processed", () => {
    expect(importProgress({ ...base, total: null }).percent).toBeNull();
    expect(importProgress({ ...base, processed: 500 }).percent).toBe(50);
  });

  it("reaches 100% only once every row is processed", () => {
    expect(importProgress({ ...base, processed: 999 }).percent).toBe(99);
    expect(importProgress({ ...base, processed: 1000, status: "completed" })).toEqual({ percent: 100, done: 1000, total: 1000 });
    expect(importProgress({ ...base, total: 0, status: "completed" }).percent).toBe(100);
  });

  it("follows an undo over what the import wrote", () => {
    const undoing = { ...base, status: "undoing", processed: 1000, created: 990, updated: 10, deleted: 495, restored: 5 };
    expect(importProgress(undoing)).toEqual({ percent: 50, done: 500, total: 1000 });
    expect(importProgress({ ...undoing, status: "undone" }).percent).toBe(100);
  });

  it("polls running imports and undos only; undo is offered for finished ones that started", () => {
    expect([isActive("running"), isActive("undoing"), isActive("completed"), isActive("uploaded")]).toEqual([true, true, false, false]);
    expect(isUndoable({ status: "completed", started_at: "2026-12-01T10:00:00Z" })).toBe(true);
    expect(isUndoable({ status: "failed", started_at: null })).toBe(false);
    expect(isUndoable({ status: "undone", started_at: "2026-12-01T10:00:00Z" })).toBe(false);
  });
});

describe("the export's filters", () => {
  it("are the list's query without paging", () => {
    const filters = exportFilters({ scope: "all", q: "a", tag: "vip", type: "partner", properties: { budget: "big" } });
    // a one-letter search is not sent by the list either
    expect(filters).toEqual({ scope: "all", tag: "vip", type: "partner", "property.budget": "big" });
  });

  it("send dates as the start of local days, the end day included", () => {
    const filters = exportFilters({ created_from: "2026-11-01", created_to: "2026-11-30", properties: {} });
    expect(new Date(filters.created_from!).getDate()).toBe(1);
    expect(new Date(filters.created_to!).getDate()).toBe(1); // the day after the 30th
  });
});
