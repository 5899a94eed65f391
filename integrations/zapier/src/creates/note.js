'use strict';

const { api } = require('../client');

const RECORDS = { client: 'clients', lead: 'leads', deal: 'deals' };

const perform = async (z, bundle) => {
  const { record_type: kind, record_id: id, text } = bundle.inputData;
  if (!RECORDS[kind]) throw new z.errors.Error('Choose a client, a lead or a deal.', 'validation_error', 400);
  const response = await z.request({
    method: 'POST',
    url: api(bundle, `/${RECORDS[kind]}/${encodeURIComponent(String(id).trim())}/notes`),
    body: { text: String(text) },
  });
  return { ...response.data, record_type: kind, record_id: id };
};

module.exports = {
  key: 'note',
  noun: 'Note',
  display: { label: 'Add Note', description: 'Adds a note to the feed of a client, a lead or a deal.' },
  operation: {
    inputFields: [
      { key: 'record_type', label: 'On a', choices: { client: 'Client', lead: 'Lead', deal: 'Deal' }, required: true },
      { key: 'record_id', label: 'Its ID', required: true, helpText: 'For example from a "Find Contact" step.' },
      { key: 'text', label: 'Note', type: 'text', required: true },
    ],
    perform,
    sample: {
      id: '01JD5Q3V9X8Y7Z6W5V4T3S2R5E',
      kind: 'note',
      time: '2026-12-02T09:00:00Z',
      user_id: '01JD5Q3V9X8Y7Z6W5V4T3S2R0A',
      text: 'Asked for a callback next week',
      record_type: 'client',
      record_id: '01JD5Q3V9X8Y7Z6W5V4T3S2R1Q',
    },
    outputFields: [
      { key: 'id', label: 'ID' },
      { key: 'text', label: 'Text' },
      { key: 'time', label: 'Time', type: 'datetime' },
    ],
  },
};
