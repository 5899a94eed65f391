'use strict';

/**
 * One REST-hook trigger per webhook event of the CRM (API.md "API keys, web forms, Zapier and
 * webhooks"). Subscribing the same Zap twice answers the same hook (the CRM matches event and
 * URL), so switching a Zap off and on leaves no hooks behind; a delivery is checked against the
 * hook's secret and a retried delivery (same `webhook-id`) triggers the Zap once. The polling
 * fallback (`performList`: Zapier's samples and tests) reads the newest records of the event.
 */

const { api, raiseFor } = require('../client');
const { verify, header } = require('../signature');
const { present, contactSample, contactOutputFields } = require('../records');

/** How long a `webhook-id` is remembered: longer than the CRM's whole retry schedule. */
const SEEN_FOR_SECONDS = 4 * 24 * 3600;

const dealSample = {
  id: '01JD5Q3V9X8Y7Z6W5V4T3S2R2B',
  title: 'Fibre for 40 seats',
  client_id: '01JD5Q3V9X8Y7Z6W5V4T3S2R1Q',
  value: { amount: '12500.00', currency: 'EUR' },
  value_amount: '12500.00',
  value_currency: 'EUR',
  status: 'new',
  responsible_user_id: '01JD5Q3V9X8Y7Z6W5V4T3S2R0A',
  position: 0,
  time_in_status: {},
  created_at: '2026-12-01T10:00:00Z',
  closed_at: null,
  version: 1,
};
const dealOutputFields = [
  { key: 'id', label: 'ID' },
  { key: 'title', label: 'Title' },
  { key: 'client_id', label: 'Client ID' },
  { key: 'status', label: 'Status' },
  { key: 'value_amount', label: 'Amount' },
  { key: 'value_currency', label: 'Currency' },
  { key: 'responsible_user_id', label: 'Responsible user ID' },
  { key: 'created_at', label: 'Created at', type: 'datetime' },
  { key: 'closed_at', label: 'Closed at', type: 'datetime' },
];

const taskSample = {
  id: '01JD5Q3V9X8Y7Z6W5V4T3S2R3C',
  type: 'call',
  title: 'Call back about the quote',
  description: null,
  start: '2026-12-02T09:00:00Z',
  end: '2026-12-02T09:30:00Z',
  all_day: false,
  responsible_user_id: '01JD5Q3V9X8Y7Z6W5V4T3S2R0A',
  member_ids: [],
  contact_ids: ['01JD5Q3V9X8Y7Z6W5V4T3S2R1Q'],
  deal_id: null,
  status: 'open',
  completed_at: null,
  completed_comment: null,
  remind_minutes_before: 15,
  created_at: '2026-12-01T10:05:00Z',
  updated_at: '2026-12-01T10:05:00Z',
  version: 1,
};
const taskOutputFields = [
  { key: 'id', label: 'ID' },
  { key: 'type', label: 'Type' },
  { key: 'title', label: 'Title' },
  { key: 'start', label: 'Start', type: 'datetime' },
  { key: 'end', label: 'End', type: 'datetime' },
  { key: 'status', label: 'Status' },
  { key: 'responsible_user_id', label: 'Responsible user ID' },
  { key: 'completed_at', label: 'Completed at', type: 'datetime' },
  { key: 'completed_comment', label: 'Completion comment' },
];

const callSample = {
  id: '01JD5Q3V9X8Y7Z6W5V4T3S2R4D',
  pbx_call_id: '1733134800.12345',
  direction: 'incoming',
  status: 'answered',
  disposition: 'answered',
  phone: '+33612345678',
  did: '+33123456789',
  extension: '100',
  user_id: '01JD5Q3V9X8Y7Z6W5V4T3S2R0A',
  contact: { type: 'client', id: '01JD5Q3V9X8Y7Z6W5V4T3S2R1Q', name: 'Marie Curie' },
  started_at: '2026-12-02T09:00:00Z',
  duration_s: 184,
  has_recording: true,
  recording: null,
  transcript: null,
};
const callOutputFields = [
  { key: 'id', label: 'ID' },
  { key: 'direction', label: 'Direction' },
  { key: 'status', label: 'Status' },
  { key: 'phone', label: 'Phone' },
  { key: 'user_id', label: 'User ID' },
  { key: 'started_at', label: 'Started at', type: 'datetime' },
  { key: 'duration_s', label: 'Duration (seconds)', type: 'integer' },
];

const DEAL_STATUSES = {
  new: 'New',
  in_progress: 'In progress',
  decision: 'Decision',
  payment: 'Payment',
  success: 'Won',
  canceled: 'Canceled',
};

/** A deal's status change is a new event each time: its id names the change, `deal_id` the deal. */
const statusChange = (deal) => ({ ...deal, id: `${deal.id}:${deal.version}`, deal_id: deal.id });

const EVENTS = [
  {
    key: 'new_lead',
    event: 'lead.created',
    noun: 'Lead',
    label: 'New Lead',
    description: 'Triggers when a lead is created (by hand, a call, a website form, an import...).',
    sample: { ...contactSample, lead_status: 'not_processed', lead_source: 'form' },
    outputFields: [...contactOutputFields, { key: 'lead_source', label: 'Lead source' }],
  },
  {
    key: 'new_client',
    event: 'client.created',
    noun: 'Client',
    label: 'New Client',
    description: 'Triggers when a client is created, including a lead converted into a client.',
    sample: { ...contactSample, type: 'client' },
    outputFields: contactOutputFields,
  },
  {
    key: 'new_deal',
    event: 'deal.created',
    noun: 'Deal',
    label: 'New Deal',
    description: 'Triggers when a deal is created.',
    sample: dealSample,
    outputFields: dealOutputFields,
  },
  {
    key: 'deal_status_changed',
    event: 'deal.status_changed',
    noun: 'Deal',
    label: 'Deal Status Changed',
    description: 'Triggers when a deal moves to another status (optionally only to one status, such as Won).',
    sample: statusChange(dealSample),
    outputFields: [...dealOutputFields, { key: 'deal_id', label: 'Deal ID' }],
    shape: statusChange,
    inputFields: [
      {
        key: 'status',
        label: 'Only when the new status is',
        choices: DEAL_STATUSES,
        required: false,
        helpText: 'Leave empty to trigger on every status change.',
      },
    ],
    keep: (record, bundle) => !bundle.inputData.status || record.status === bundle.inputData.status,
  },
  {
    key: 'new_task',
    event: 'task.created',
    noun: 'Task',
    label: 'New Task',
    description: 'Triggers when a task, call, video meeting or SMS task is created.',
    sample: taskSample,
    outputFields: taskOutputFields,
  },
  {
    key: 'task_completed',
    event: 'task.completed',
    noun: 'Task',
    label: 'Task Completed',
    description: 'Triggers when a task is marked done.',
    sample: { ...taskSample, status: 'done', completed_at: '2026-12-02T09:40:00Z' },
    outputFields: taskOutputFields,
  },
  {
    key: 'call_completed',
    event: 'call.completed',
    noun: 'Call',
    label: 'Call Completed',
    description: 'Triggers when a phone call through the PBX ends (answered or missed).',
    sample: callSample,
    outputFields: callOutputFields,
  },
];

const makeTrigger = (spec) => {
  const shape = (record) => (spec.shape || ((r) => r))(present(record));
  const keep = spec.keep || (() => true);

  const performSubscribe = async (z, bundle) => {
    const response = await z.request({
      method: 'POST',
      url: api(bundle, '/hooks'),
      body: { event: spec.event, target_url: bundle.targetUrl },
    });
    return response.data; // {id, secret, ...}: Zapier keeps it as bundle.subscribeData
  };

  const performUnsubscribe = async (z, bundle) => {
    const id = encodeURIComponent(bundle.subscribeData.id);
    const response = await z.request({ method: 'DELETE', url: api(bundle, `/hooks/${id}`), skipThrowForStatus: true });
    if (response.status !== 404) raiseFor(response, z); // already gone (a 410 removed it): done
    return { id: bundle.subscribeData.id };
  };

  const perform = async (z, bundle) => {
    const raw = bundle.rawRequest;
    const secret = bundle.subscribeData && bundle.subscribeData.secret;
    if (raw && raw.content !== undefined && secret && !verify(secret, raw.headers, raw.content)) {
      z.console.log('Ignored a delivery whose signature does not match this hook.');
      return [];
    }
    const deliveryId = raw && header(raw.headers, 'webhook-id');
    if (deliveryId) {
      const key = `delivery:${deliveryId}`;
      if (await z.cache.get(key)) return []; // a retry of a delivery already handled
      if ((await z.cache.set(key, true, SEEN_FOR_SECONDS, null, true)) === false) return [];
    }
    const body = bundle.cleanedRequest || {};
    if (body.type !== spec.event || !body.data) return [];
    const record = shape(body.data);
    return keep(record, bundle) ? [record] : [];
  };

  const performList = async (z, bundle) => {
    const response = await z.request({ url: api(bundle, `/hooks/samples/${spec.event}`) });
    return response.data.items.map(shape).filter((record) => keep(record, bundle));
  };

  return {
    key: spec.key,
    noun: spec.noun,
    display: { label: spec.label, description: spec.description },
    operation: {
      type: 'hook',
      inputFields: spec.inputFields || [],
      performSubscribe,
      performUnsubscribe,
      perform,
      performList,
      sample: spec.sample,
      outputFields: spec.outputFields,
    },
  };
};

const triggers = EVENTS.map(makeTrigger);

module.exports = { triggers, EVENTS, DEAL_STATUSES, SEEN_FOR_SECONDS };
