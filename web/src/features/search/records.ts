/**
 * Where a record opens in the web app: the screens of clients, leads and deals. Other kinds
 * (users, tasks, calls, imports) have no screen yet, so they are shown without a link.
 */
export function recordPath(type: string, id: string): string | undefined {
  const at = encodeURIComponent(id);
  switch (type) {
    case "client":
      return `/clients/${at}`;
    case "lead":
      return `/leads/${at}`;
    case "deal":
      return `/deals/${at}`;
    default:
      return undefined;
  }
}
