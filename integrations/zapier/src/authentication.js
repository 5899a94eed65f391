'use strict';

const { api, baseUrl } = require('./client');

/**
 * API-key auth: the CRM's address (each team deploys its own) and a key of scope "api"
 * created in the CRM (Settings > Integrations). The test call reads the key owner's profile,
 * so a wrong address, a deleted key or a forms-only key fails at connection time.
 */
const test = async (z, bundle) => {
  const address = baseUrl(bundle.authData);
  if (!/^https?:\/\/[^\s/]+/i.test(address)) {
    throw new z.errors.Error(
      'The CRM address must start with https:// (for example https://crm.example.com).',
      'invalid_url',
      400,
    );
  }
  const response = await z.request({ url: api(bundle, '/me') });
  return response.data;
};

module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'api_url',
      label: 'CRM address',
      type: 'string',
      required: true,
      helpText:
        'The address your team opens the CRM at, for example `https://crm.example.com`.',
    },
    {
      key: 'api_key',
      label: 'API key',
      type: 'password',
      required: true,
      helpText:
        'In the CRM: Settings > Integrations > API keys > New key, scope **api**. The key is shown once; Zapier acts with your rights.',
    },
  ],
  test,
  connectionLabel: (z, bundle) => `${bundle.inputData.name} <${bundle.inputData.email}>`,
};
