/** Where a day's timed tasks sit in its column: side by side where they overlap, as Google
 *  Calendar lays out events, instead of on top of one another (the lower one unreadable). */

export type Span = { id: string; from: number; to: number };
export type Placement = { column: number; columns: number };

/**
 * Each task's column and the number of columns of its cluster (tasks linked by overlaps share
 * one width). A task takes the leftmost column free at its start; `from` and `to` are minutes of
 * the day as drawn (a short task is drawn taller than it lasts: pass its drawn end).
 */
export function placeSideBySide(spans: readonly Span[]): Map<string, Placement> {
  const placed = new Map<string, Placement>();
  const sorted = [...spans].sort((a, b) => a.from - b.from || b.to - a.to || a.id.localeCompare(b.id));
  let cluster: { id: string; column: number }[] = [];
  let ends: number[] = []; // each column's last end in the current cluster
  let clusterEnd = -Infinity;
  const close = () => {
    for (const { id, column } of cluster) placed.set(id, { column, columns: ends.length });
    cluster = [];
    ends = [];
  };
  for (const span of sorted) {
    if (span.from >= clusterEnd) close();
    clusterEnd = Math.max(clusterEnd, span.to);
    let column = ends.findIndex((end) => end <= span.from);
    if (column === -1) column = ends.push(span.to) - 1;
    else ends[column] = span.to;
    cluster.push({ id: span.id, column });
  }
  close();
  return placed;
}
