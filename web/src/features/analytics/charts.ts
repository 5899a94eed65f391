/** Chart options from plain figures (pure, so the shaping is tested without drawing). */
import type { ChartOption } from "./Chart";

export interface Line {
  name: string;
  values: number[];
  /** Bars (stacked when they share a stack name) rather than a line. */
  bar?: boolean;
  stack?: string;
  area?: boolean;
}

const tooltip = { trigger: "axis", axisPointer: { type: "shadow" } } as const;
const grid = { left: 8, right: 16, top: 40, bottom: 8, containLabel: true };

/** A series over time (or any categories along x): one line or bar per figure. */
export function seriesOption(categories: string[], lines: Line[], formatValue?: (v: number) => string, formatAxis = formatValue): ChartOption {
  return {
    animation: false,
    tooltip: formatValue ? { ...tooltip, valueFormatter: (v) => formatValue(Number(v)) } : tooltip,
    legend: { top: 0, show: lines.length > 1 },
    grid,
    xAxis: { type: "category", data: categories },
    yAxis: { type: "value", minInterval: 1, axisLabel: formatAxis ? { formatter: (v: number) => formatAxis(v) } : {} },
    series: lines.map((line) =>
      line.bar
        ? { type: "bar", name: line.name, data: line.values, stack: line.stack }
        : { type: "line", name: line.name, data: line.values, smooth: false, areaStyle: line.area ? {} : undefined },
    ),
  };
}

/** Horizontal bars, one row per category (users, statuses, tags), first category on top. */
export function barsOption(categories: string[], lines: Line[], formatValue?: (v: number) => string, formatAxis = formatValue): ChartOption {
  return {
    animation: false,
    tooltip: formatValue ? { ...tooltip, valueFormatter: (v) => formatValue(Number(v)) } : tooltip,
    legend: { top: 0, show: lines.length > 1 },
    grid,
    yAxis: { type: "category", data: categories, inverse: true },
    xAxis: { type: "value", minInterval: 1, axisLabel: formatAxis ? { formatter: (v: number) => formatAxis(v) } : {} },
    series: lines.map((line) => ({ type: "bar", name: line.name, data: line.values, stack: line.stack })),
  };
}

/** Shares of a whole. */
export function pieOption(items: { name: string; value: number }[]): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: "item" },
    legend: { top: 0, type: "scroll" },
    series: [{ type: "pie", radius: ["35%", "65%"], top: 30, data: items, label: { formatter: "{b}: {c}" } }],
  };
}

/** Rows' height for a horizontal bar chart of `n` categories. */
export function barsHeight(n: number): number {
  return Math.max(160, 60 + n * 36);
}
