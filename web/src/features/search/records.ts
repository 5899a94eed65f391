/**
 * Where a record opens in the web app: the screens of clients, leads and deals; a user opens the
 * team screen (/team lists every colleague; it has no per-user address, dialog or anchor to point
 * at). Other kinds (tasks, calls, imports) have no screen of their own, so they are shown without
 * a link.
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
    case "user":
      return "/team";
    default:
      return undefined;
  }
}
