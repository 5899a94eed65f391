/**
 * HTML from outside (an email's sanitised body, a signature being typed) shown in a sandboxed
 * frame: no script runs, it cannot reach this page (no same origin), remote content is not
 * loaded (a CSP in the document: no tracking pixels) and links open in a new tab.
 */
export const FRAME_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";

export function frameDocument(html: string): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">` +
    `<base target="_blank"><style>body{font-family:system-ui,sans-serif;font-size:14px;margin:8px;color:#1a1a1a;background:#fff;overflow-wrap:anywhere}</style>` +
    `</head><body>${html}</body></html>`
  );
}

export function HtmlFrame({ html, title, tall = false }: { html: string; title: string; tall?: boolean }) {
  return (
    <iframe
      className={tall ? "email-frame email-frame--tall" : "email-frame"}
      title={title}
      sandbox="allow-popups allow-popups-to-escape-sandbox"
      referrerPolicy="no-referrer"
      srcDoc={frameDocument(html)}
    />
  );
}
