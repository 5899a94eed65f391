"""The copy-paste website form of a `forms` key (GET /v1/api-keys/{id}/snippet, docs/api-keys.md).

Plain HTML and a few lines of JavaScript, no library: it posts JSON with the key in `X-Api-Key`,
passes the page's UTM parameters along, and carries the honeypot (`_gotcha`, hidden from people).
"""

from __future__ import annotations

from html import escape

_TEMPLATE = """<form id="crm-lead-form">
  <input name="name" placeholder="Your name" required>
  <input name="phone" type="tel" placeholder="Phone">
  <input name="email" type="email" placeholder="Email">
  <textarea name="comment" placeholder="Message"></textarea>
  <!-- honeypot: people never see it, bots fill it in (such posts are answered but not stored) -->
  <input name="_gotcha" tabindex="-1" autocomplete="off" style="position:absolute;left:-9999px" aria-hidden="true">
  <button type="submit">Send</button>
  <p class="crm-lead-form__status" role="status"></p>
</form>
<script>
(function () {
  var ENDPOINT = "__ENDPOINT__";
  var KEY = "__KEY__"; // your whole forms key, shown once when it was created
  var form = document.getElementById("crm-lead-form");
  var status = form.querySelector(".crm-lead-form__status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {};
    new FormData(form).forEach(function (value, name) { if (value) body[name] = value; });
    var query = new URLSearchParams(window.location.search);
    ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"].forEach(function (name) {
      if (query.get(name)) body[name] = query.get(name);
    });
    fetch(ENDPOINT, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Api-Key": KEY},
      body: JSON.stringify(body)
    }).then(function (response) {
      status.textContent = response.ok ? "Thank you, we will get back to you." : "Sorry, please try again later.";
      if (response.ok) form.reset();
    }, function () { status.textContent = "Sorry, please try again later."; });
  });
})();
</script>
"""


def snippet(endpoint: str, key_prefix: str) -> str:
    """The form for `endpoint`; the key's secret part is not stored, so it is left to paste."""
    placeholder = f"{key_prefix}_PASTE-THE-REST-OF-YOUR-KEY"
    return _TEMPLATE.replace("__ENDPOINT__", escape(endpoint, quote=True)).replace("__KEY__", placeholder)
