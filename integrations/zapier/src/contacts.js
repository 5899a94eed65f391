'use strict';

/**
 * What the lead and client actions share: their input fields (with the CRM's own custom
 * properties as extra fields), the request body, and a person already known (same phone or
 * email) handled the way a sales team wants by default: a note on the existing contact
 * instead of a failed Zap.
 */

const { api, apiError, raiseFor } = require('./client');
const { present } = require('./records');

const PROPERTY_PREFIX = 'property__';
const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'];
const CHANNEL_TYPES = { work: 'Work', mobile: 'Mobile', home: 'Home', personal: 'Personal', other: 'Other' };

const commonFields = [
  { key: 'name', label: 'Name', required: true, helpText: 'A person or a company.' },
  { key: 'phone', label: 'Phone', helpText: 'International (+33 6 12 34 56 78) or in the CRM country\'s format.' },
  { key: 'phone_type', label: 'Phone type', choices: CHANNEL_TYPES, default: 'work' },
  { key: 'email', label: 'Email' },
  { key: 'comment', label: 'Comment', type: 'text' },
  { key: 'status', label: 'Individual or company', choices: { individual: 'Individual', company: 'Company' } },
  { key: 'address', label: 'Address' },
  { key: 'website', label: 'Website' },
  { key: 'tags', label: 'Tags', list: true, helpText: 'Up to 10 tags, created as needed.' },
  {
    key: 'responsible_user_id',
    label: 'Responsible user',
    dynamic: 'users.id.name',
    helpText: 'Default: the key\'s owner.',
  },
  ...UTM.map((key) => ({
    key,
    label: key,
    helpText: 'Becomes a source tag of the contact (created on first use), counted in the source analytics.',
  })),
  {
    key: 'if_exists',
    label: 'If the phone or email is already known',
    choices: { note: 'Add a note to the existing contact', error: 'Stop with an error' },
    default: 'note',
    required: true,
  },
];

/** Dynamic fields: one per custom property of the CRM (text, number, date or a choice). */
const propertyFields = async (z, bundle) => {
  const response = await z.request({ url: api(bundle, '/properties'), params: { limit: 100 } });
  return response.data.items.map((property) => {
    const field = { key: `${PROPERTY_PREFIX}${property.key}`, label: property.title, required: false };
    if (property.kind === 'number') field.type = 'number';
    if (property.kind === 'date') field.helpText = 'A date: YYYY-MM-DD.';
    if (property.kind === 'select' && Array.isArray(property.options) && property.options.length) {
      field.choices = property.options.map((option) => String(option));
    }
    return field;
  });
};

const filled = (value) => value !== undefined && value !== null && String(value).trim() !== '';

/** The body of POST /v1/clients or /v1/leads from the action's input. */
const contactBody = (input) => {
  const body = { name: String(input.name || '').trim() };
  if (filled(input.phone)) body.phones = [{ phone: String(input.phone).trim(), type: input.phone_type || 'work' }];
  if (filled(input.email)) body.emails = [{ email: String(input.email).trim(), type: 'work' }];
  for (const key of ['comment', 'status', 'address', 'website', 'responsible_user_id']) {
    if (filled(input[key])) body[key] = String(input[key]).trim();
  }
  const tags = (Array.isArray(input.tags) ? input.tags : filled(input.tags) ? [input.tags] : []).filter(filled);
  if (tags.length) body.tags = tags.map((tag) => String(tag).trim());
  const utm = Object.fromEntries(UTM.filter((key) => filled(input[key])).map((key) => [key, String(input[key])]));
  if (Object.keys(utm).length) body.utm = utm;
  const properties = {};
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith(PROPERTY_PREFIX) && filled(value)) properties[key.slice(PROPERTY_PREFIX.length)] = value;
  }
  if (Object.keys(properties).length) body.properties = properties;
  return body;
};

/** The note left on a known contact: what this Zap run brought. */
const noteText = (body, source) => {
  const lines = [`${source} again: ${body.name}`];
  if (body.phones) lines.push(`Phone: ${body.phones[0].phone}`);
  if (body.emails) lines.push(`Email: ${body.emails[0].email}`);
  if (body.comment) lines.push(body.comment);
  if (body.utm) lines.push(Object.entries(body.utm).map(([key, value]) => `${key}=${value}`).join(', '));
  return lines.join('\n');
};

const PLURAL = { client: 'clients', lead: 'leads' };

/** GET a client or lead by id, presented for Zapier with its kind. */
const fetchContact = async (z, bundle, kind, id) => {
  const response = await z.request({ url: api(bundle, `/${PLURAL[kind]}/${encodeURIComponent(id)}`) });
  const { feed, ...contact } = response.data; // the card's feed is not the record
  return { ...present(contact), record_type: kind };
};

/** Create a client or lead; a duplicate follows `if_exists`. */
const createContact = async (z, bundle, kind, extra) => {
  const body = { ...contactBody(bundle.inputData), ...extra };
  const response = await z.request({
    method: 'POST',
    url: api(bundle, `/${PLURAL[kind]}`),
    body,
    skipThrowForStatus: true,
  });
  const error = response.status === 409 ? apiError(response) : null;
  if (!error || error.code !== 'duplicate' || !error.existing) {
    raiseFor(response, z);
    return { ...present(response.data), record_type: kind, existing: false };
  }
  const known = error.existing;
  if (bundle.inputData.if_exists === 'error') {
    throw new z.errors.Error(
      `${error.message} (the existing ${known.type}: ${known.id})`,
      'duplicate',
      409,
    );
  }
  await z.request({
    method: 'POST',
    url: api(bundle, `/${PLURAL[known.type]}/${encodeURIComponent(known.id)}/notes`),
    body: { text: noteText(body, 'Zapier') },
  });
  return { ...(await fetchContact(z, bundle, known.type, known.id)), existing: true };
};

module.exports = {
  commonFields,
  propertyFields,
  contactBody,
  createContact,
  fetchContact,
  noteText,
  PLURAL,
  CHANNEL_TYPES,
};
