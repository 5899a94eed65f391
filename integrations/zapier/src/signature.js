'use strict';

const crypto = require('node:crypto');

/** How old a delivery may be (Standard Webhooks' default tolerance). */
const TOLERANCE_SECONDS = 5 * 60;

/** A header of Zapier's raw request, whatever its case and with or without Zapier's "Http-" prefix. */
const header = (headers, name) => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers || {})) {
    const bare = key.toLowerCase().replace(/^http-/, '');
    if (bare === wanted) return String(value);
  }
  return null;
};

/**
 * Whether a delivery is signed by the CRM with the hook's secret (Standard Webhooks:
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the key being the base64 part of
 * `whsec_<base64>`), and recent. `now` is in seconds.
 */
const verify = (secret, headers, body, now = Date.now() / 1000) => {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!secret || !id || !timestamp || !signatures || typeof body !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = Buffer.from(String(secret).replace(/^whsec_/, ''), 'base64');
  const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
};

module.exports = { verify, header, TOLERANCE_SECONDS };
