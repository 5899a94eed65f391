'use strict';

const { commonFields, propertyFields, createContact } = require('../contacts');
const { contactSample, contactOutputFields } = require('../records');

const CLIENT_TYPES = { potential: 'Potential', client: 'Client', reseller: 'Reseller', partner: 'Partner' };

module.exports = {
  key: 'client',
  noun: 'Client',
  display: {
    label: 'Create Client',
    description: 'Creates a client. A known phone or email adds a note to that contact instead.',
  },
  operation: {
    inputFields: [...commonFields, { key: 'type', label: 'Type', choices: CLIENT_TYPES }, propertyFields],
    perform: (z, bundle) => {
      const extra = bundle.inputData.type ? { type: bundle.inputData.type } : {};
      return createContact(z, bundle, 'client', extra);
    },
    sample: { ...contactSample, record_type: 'client', existing: false },
    outputFields: [
      ...contactOutputFields,
      { key: 'record_type', label: 'Record type (client, or lead when already known)' },
      { key: 'existing', label: 'Already known', type: 'boolean' },
    ],
  },
};
