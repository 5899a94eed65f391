'use strict';

/**
 * How the app talks to a CRM: its address (each team runs its own deployment), the API key
 * header, and the API's error envelope turned into messages a Zap's owner can act on.
 */

/** The CRM's address as typed ("https://crm.example.com/", ".../v1") -> "https://crm.example.com". */
const baseUrl = (authData) =>
  String(authData.api_url || '')
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/v1$/, '');

/** A URL of the API: `api(bundle, '/leads')` -> "https://crm.example.com/v1/leads". */
const api = (bundle, path) => `${baseUrl(bundle.authData)}/v1${path}`;

/** beforeRequest: every call carries the key (never in the URL, so never in logs). */
const addApiKey = (request, z, bundle) => {
  if (bundle.authData && bundle.authData.api_key) {
    request.headers = request.headers || {};
    request.headers['X-Api-Key'] = String(bundle.authData.api_key).trim();
  }
  request.headers.Accept = 'application/json';
  return request;
};

/** The API's `{"error": {"code", "message", "field"?}}`, or null for anything else. */
const apiError = (response) => {
  try {
    const body = JSON.parse(response.content);
    return body && body.error && typeof body.error === 'object' ? body.error : null;
  } catch (err) {
    return null;
  }
};

/** Throw an error naming what to fix when the call failed (a 429 is already a ThrottledError
 * honouring `Retry-After`, raised by the platform before the app sees the answer). */
const raiseFor = (response, z) => {
  if (response.status < 400) return response;
  const error = apiError(response) || {};
  const where = error.field ? ` (field: ${error.field})` : '';
  const message = `${error.message || `The CRM answered ${response.status}`}${where}`;
  if (response.status === 401) {
    throw new z.errors.Error(
      'The CRM refused the API key: it is wrong or was deleted. Create a key in the CRM (Settings > Integrations) and reconnect.',
      'unauthorized',
      401,
    );
  }
  if (response.status === 403 && /scope/i.test(error.message || '')) {
    throw new z.errors.Error('This API key is a "forms" key: Zapier needs a key with the "api" scope.', 'forbidden', 403);
  }
  throw new z.errors.Error(message, error.code || `http_${response.status}`, response.status);
};

/** afterResponse: every failed call raises, except those handling a status themselves
 * (`skipThrowForStatus`: a duplicate on create, a hook already gone), which call raiseFor. */
const explainErrors = (response, z) => (response.skipThrowForStatus ? response : raiseFor(response, z));

module.exports = { api, baseUrl, addApiKey, apiError, raiseFor, explainErrors };
