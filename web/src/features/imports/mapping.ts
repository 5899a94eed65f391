/**
 * The import wizard's logic, kept out of the components so it can be tested alone: the column
 * mapping (suggested targets preselected, grouped choices, the checks the API makes before it
 * starts), progress figures and the export's filters (API.md "Import / export").
 */
import { apiQuery, type ContactFilters } from "../contacts/filters";

/** column -> target ("" = not imported), as the form holds it. */
export type Mapping = Record<string, string>;

/** Targets that may come from several columns (every other one from a single column). */
const MANY = new Set(["phone", "email", "tags"]);

export function targetField(target: string): string {
  return target.split(":")[0] ?? target;
}

/** The suggested mapping, preselected: every header gets an entry ("" where nothing was suggested). */
export function initialMapping(headers: readonly string[], suggested: Record<string, string | null | undefined>): Mapping {
  return Object.fromEntries(headers.map((h) => [h, suggested[h] ?? ""]));
}

/** The body's `mapping`: unmapped columns are sent as null (the API ignores them). */
export function startMapping(mapping: Mapping): Record<string, string | null> {
  return Object.fromEntries(Object.entries(mapping).map(([column, target]) => [column, target || null]));
}

export interface MappingProblems {
  /** No column goes into `name`: the API refuses the mapping. */
  needName: boolean;
  /** Single-column targets chosen for several columns, with those columns. */
  twice: { target: string; columns: string[] }[];
}

/** What the API would refuse in this mapping (checked before sending, shown beside the choices). */
export function mappingProblems(mapping: Mapping): MappingProblems {
  const byTarget = new Map<string, string[]>();
  for (const [column, target] of Object.entries(mapping)) {
    if (!target || MANY.has(targetField(target))) continue;
    byTarget.set(target, [...(byTarget.get(target) ?? []), column]);
  }
  return {
    needName: !byTarget.has("name"),
    twice: [...byTarget].filter(([, columns]) => columns.length > 1).map(([target, columns]) => ({ target, columns })),
  };
}

export function hasProblems(problems: MappingProblems): boolean {
  return problems.needName || problems.twice.length > 0;
}

export interface TargetGroups {
  fields: string[];
  phones: string[];
  emails: string[];
  properties: string[];
}

/** The API's targets in the groups the mapping's selects show them in, in the API's order. */
export function groupTargets(targets: readonly string[]): TargetGroups {
  const groups: TargetGroups = { fields: [], phones: [], emails: [], properties: [] };
  for (const target of targets) {
    const field = targetField(target);
    if (field === "phone") groups.phones.push(target);
    else if (field === "email") groups.emails.push(target);
    else if (field === "property") groups.properties.push(target);
    else groups.fields.push(target);
  }
  return groups;
}

export interface Progress {
  /** 0..100, whole numbers; null while the total is not known (the file is being read). */
  percent: number | null;
  done: number;
  total: number | null;
}

interface ImportCounts {
  status: string;
  total?: number | null;
  processed: number;
  created: number;
  updated: number;
  deleted: number;
  restored: number;
}

/** The import's progress, or its undo's (contacts removed or restored of those it had written). */
export function importProgress(record: ImportCounts): Progress {
  if (record.status === "undoing" || record.status === "undone") {
    const total = record.created + record.updated;
    const done = Math.min(record.deleted + record.restored, total);
    if (record.status === "undone") return { percent: 100, done: total, total };
    return { percent: total === 0 ? 0 : Math.floor((100 * done) / total), done, total };
  }
  const total = record.total ?? null;
  if (total === null) return { percent: record.status === "completed" ? 100 : null, done: record.processed, total };
  if (total === 0) return { percent: 100, done: 0, total };
  const done = Math.min(record.processed, total);
  // 100% only once every row has been processed: rounding must not claim it earlier.
  return { percent: done === total ? 100 : Math.min(99, Math.floor((100 * done) / total)), done, total };
}

/** Still changing on the server: poll it. */
export function isActive(status: string | undefined): boolean {
  return status === "running" || status === "undoing";
}

/** Imports that may be undone (as the API allows: a completed or failed one that had started). */
export function isUndoable(record: { status: string; started_at?: string | null }): boolean {
  return (record.status === "completed" || record.status === "failed") && Boolean(record.started_at);
}

/** The export's `filters`: the list's own query parameters (no paging), as strings. */
export function exportFilters(filters: ContactFilters): Record<string, string> {
  const search = new URLSearchParams(apiQuery(filters));
  search.delete("limit");
  search.delete("cursor");
  return Object.fromEntries(search);
}

/** A byte count for people ("1.5 MB"), in the UI's language. */
export function formatBytes(bytes: number, language: string): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(language, {
    style: "unit",
    unit: units[unit],
    unitDisplay: "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}
