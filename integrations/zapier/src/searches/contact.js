'use strict';

const { api, raiseFor } = require('../client');
const { fetchContact } = require('../contacts');
const { contactSample, contactOutputFields } = require('../records');

/** At most this many search hits are opened to compare their emails exactly. */
const CANDIDATES = 5;

const byPhone = async (z, bundle, phone) => {
  const response = await z.request({
    url: api(bundle, '/contacts/identify'),
    params: { phone },
    skipThrowForStatus: true,
  });
  if (response.status === 404) return [];
  raiseFor(response, z);
  const owner = response.data;
  if (owner.type !== 'client' && owner.type !== 'lead') return []; // a colleague's number
  return [await fetchContact(z, bundle, owner.type, owner.id)];
};

const byEmail = async (z, bundle, email) => {
  const wanted = email.toLowerCase();
  const response = await z.request({ url: api(bundle, '/search'), params: { q: email } });
  const hits = response.data.items.filter((hit) => hit.type === 'client' || hit.type === 'lead').slice(0, CANDIDATES);
  const found = [];
  for (const hit of hits) {
    const contact = await fetchContact(z, bundle, hit.type, hit.id);
    if ((contact.emails || []).some((entry) => String(entry.email).toLowerCase() === wanted)) found.push(contact);
  }
  return found;
};

/** The client or lead with this phone (the CRM's caller identification) or this exact email. */
const perform = async (z, bundle) => {
  const phone = String(bundle.inputData.phone || '').trim();
  const email = String(bundle.inputData.email || '').trim();
  if (!phone && !email) {
    throw new z.errors.Error('Give a phone or an email to look for.', 'validation_error', 400);
  }
  const found = phone ? await byPhone(z, bundle, phone) : [];
  return found.length || !email ? found : byEmail(z, bundle, email);
};

module.exports = {
  key: 'contact',
  noun: 'Contact',
  display: {
    label: 'Find Contact',
    description: 'Finds a client or lead by phone number (any format the CRM recognises) or by email.',
  },
  operation: {
    inputFields: [
      { key: 'phone', label: 'Phone', helpText: 'Looked up first.' },
      { key: 'email', label: 'Email', helpText: 'Looked up when no phone is given or the phone is unknown.' },
    ],
    perform,
    sample: { ...contactSample, record_type: 'client' },
    outputFields: [...contactOutputFields, { key: 'record_type', label: 'Record type (client or lead)' }],
  },
};
