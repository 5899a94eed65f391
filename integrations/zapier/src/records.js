'use strict';

/**
 * Records as the API renders them, plus a few flat fields that make mapping in the Zap editor
 * easy (the first phone and email of a contact, a deal's amount and currency).
 */
const present = (record) => {
  if (!record || typeof record !== 'object') return record;
  const out = { ...record };
  if (Array.isArray(record.phones)) out.phone = record.phones.length ? record.phones[0].phone : null;
  if (Array.isArray(record.emails)) out.email = record.emails.length ? record.emails[0].email : null;
  if (record.value && typeof record.value === 'object') {
    out.value_amount = record.value.amount;
    out.value_currency = record.value.currency;
  }
  return out;
};

const contactSample = {
  id: '01JD5Q3V9X8Y7Z6W5V4T3S2R1Q',
  name: 'Marie Curie',
  status: 'individual',
  type: 'potential',
  phones: [{ phone: '+33612345678', type: 'mobile' }],
  emails: [{ email: 'marie@example.com', type: 'work' }],
  phone: '+33612345678',
  email: 'marie@example.com',
  address: null,
  website: null,
  comment: 'Asked for a quote',
  responsible_user_id: null,
  tags: ['website'],
  source_tag_ids: [],
  properties: {},
  created_at: '2026-12-01T09:30:00Z',
  created_by: '01JD5Q3V9X8Y7Z6W5V4T3S2R0A',
  updated_at: '2026-12-01T09:30:00Z',
  converted_at: null,
  version: 1,
};

const contactOutputFields = [
  { key: 'id', label: 'ID' },
  { key: 'name', label: 'Name' },
  { key: 'phone', label: 'Phone (first)' },
  { key: 'email', label: 'Email (first)' },
  { key: 'status', label: 'Individual or company' },
  { key: 'type', label: 'Type' },
  { key: 'comment', label: 'Comment' },
  { key: 'responsible_user_id', label: 'Responsible user ID' },
  { key: 'created_at', label: 'Created at', type: 'datetime' },
];

module.exports = { present, contactSample, contactOutputFields };
