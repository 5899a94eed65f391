'use strict';

const { api } = require('../client');
const { present } = require('../records');

const TASK_TYPES = { task: 'Task', call: 'Call', video: 'Video meeting', sms: 'SMS' };

const perform = async (z, bundle) => {
  const input = bundle.inputData;
  const body = { title: String(input.title).trim(), start: input.start, type: input.type || 'task' };
  for (const key of ['end', 'description', 'responsible_user_id', 'deal_id', 'phone', 'sms_text', 'meeting_url']) {
    if (input[key] !== undefined && input[key] !== null && String(input[key]).trim() !== '') body[key] = input[key];
  }
  if (input.all_day !== undefined) body.all_day = input.all_day === true || /^(true|yes|1)$/i.test(String(input.all_day));
  if (input.contact_id) body.contact_ids = [String(input.contact_id).trim()];
  if (input.remind_minutes_before !== undefined && input.remind_minutes_before !== '') {
    body.remind_minutes_before = Number(input.remind_minutes_before);
  }
  const response = await z.request({ method: 'POST', url: api(bundle, '/tasks'), body });
  return present(response.data);
};

module.exports = {
  key: 'task',
  noun: 'Task',
  display: { label: 'Create Task', description: 'Creates a task, call, video meeting or SMS task in the calendar.' },
  operation: {
    inputFields: [
      { key: 'title', label: 'Title', required: true },
      { key: 'type', label: 'Type', choices: TASK_TYPES, default: 'task' },
      { key: 'start', label: 'Start', type: 'datetime', required: true, helpText: 'When it is due.' },
      { key: 'end', label: 'End', type: 'datetime', helpText: 'Default: the start.' },
      { key: 'all_day', label: 'All day', type: 'boolean' },
      { key: 'description', label: 'Description', type: 'text' },
      { key: 'responsible_user_id', label: 'Responsible user', dynamic: 'users.id.name', helpText: 'Default: the key\'s owner.' },
      { key: 'contact_id', label: 'Client or lead ID', helpText: 'For example from a "Find Contact" step.' },
      { key: 'deal_id', label: 'Deal ID' },
      { key: 'phone', label: 'Phone (call and SMS tasks)' },
      { key: 'sms_text', label: 'SMS text (SMS tasks: sent at the start)', type: 'text' },
      { key: 'meeting_url', label: 'Meeting link (video tasks)' },
      { key: 'remind_minutes_before', label: 'Reminder (minutes before)', type: 'integer', default: '15' },
    ],
    perform,
    sample: {
      id: '01JD5Q3V9X8Y7Z6W5V4T3S2R3C',
      type: 'call',
      title: 'Call back about the quote',
      start: '2026-12-02T09:00:00Z',
      end: '2026-12-02T09:00:00Z',
      all_day: false,
      status: 'open',
      responsible_user_id: '01JD5Q3V9X8Y7Z6W5V4T3S2R0A',
      contact_ids: ['01JD5Q3V9X8Y7Z6W5V4T3S2R1Q'],
      version: 1,
    },
    outputFields: [
      { key: 'id', label: 'ID' },
      { key: 'title', label: 'Title' },
      { key: 'start', label: 'Start', type: 'datetime' },
      { key: 'status', label: 'Status' },
    ],
  },
};
