'use strict';

const { commonFields, propertyFields, createContact } = require('../contacts');
const { contactSample, contactOutputFields } = require('../records');

const truthy = (value) => value === true || /^(true|yes|1)$/i.test(String(value));

/** Create a lead (lead_source "zapier"); by default into the unsorted pool, where the team takes it. */
const perform = (z, bundle) =>
  createContact(z, bundle, 'lead', {
    lead_source: 'zapier',
    unsorted: bundle.inputData.responsible_user_id ? false : truthy(bundle.inputData.unsorted ?? true),
  });

module.exports = {
  key: 'lead',
  noun: 'Lead',
  display: {
    label: 'Create Lead',
    description: 'Creates a lead, in the unsorted pool or for a user. A known phone or email adds a note to that contact instead.',
  },
  operation: {
    inputFields: [
      ...commonFields,
      {
        key: 'unsorted',
        label: 'Into the unsorted pool',
        type: 'boolean',
        default: 'true',
        helpText: 'Yes: nobody is responsible until a salesperson takes it. Ignored when a responsible user is chosen.',
      },
      propertyFields,
    ],
    perform,
    sample: { ...contactSample, lead_status: 'not_processed', lead_source: 'zapier', record_type: 'lead', existing: false },
    outputFields: [
      ...contactOutputFields,
      { key: 'record_type', label: 'Record type (lead, or client when already known)' },
      { key: 'existing', label: 'Already known', type: 'boolean' },
    ],
  },
};
