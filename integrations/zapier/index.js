'use strict';

/**
 * The CRM's Zapier integration: API-key auth against your own deployment, REST-hook triggers
 * for the CRM's webhook events (polling fallbacks for samples), actions to create leads,
 * clients, tasks and notes, and a search for a contact by phone or email.
 */

const { version } = require('./package.json');
const { version: platformVersion } = require('zapier-platform-core');

const authentication = require('./src/authentication');
const { addApiKey, explainErrors } = require('./src/client');
const { triggers } = require('./src/triggers/events');
const users = require('./src/triggers/users');
const lead = require('./src/creates/lead');
const client = require('./src/creates/client');
const task = require('./src/creates/task');
const note = require('./src/creates/note');
const contact = require('./src/searches/contact');

const byKey = (list) => Object.fromEntries(list.map((item) => [item.key, item]));

module.exports = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [addApiKey],
  afterResponse: [explainErrors],
  triggers: byKey([...triggers, users]),
  creates: byKey([lead, client, task, note]),
  searches: byKey([contact]),
  searchOrCreates: {
    contact: {
      key: 'contact',
      display: {
        label: 'Find or Create Contact',
        description: 'Finds a client or lead by phone or email, or creates a lead.',
      },
      search: 'contact',
      create: 'lead',
    },
  },
};
