"""Email, the pure part (issue 18): parsing, threading, auto-lead rules, bounces. No I/O here.

`message.parse` reads raw RFC 5322 bytes, `threads.thread_root` names a message's thread,
`rules` decides which addresses may become leads, `bounces.parse_dsn` reads delivery reports,
`html.sanitize_html` cleans HTML bodies (nh3) for display.
"""
