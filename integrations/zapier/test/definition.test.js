'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');

const App = require('..');
const { validate } = require('../scripts/validate');

test('the app definition validates against zapier-platform-schema', async () => {
  assert.deepEqual(await validate(App), []);
});

test('the validator reports a broken definition by its property', async () => {
  const broken = { ...App, triggers: { ...App.triggers, new_lead: { ...App.triggers.new_lead, noun: undefined } } };
  const errors = await validate(broken);
  assert.ok(errors.some((error) => /triggers\.new_lead/.test(error.property)), JSON.stringify(errors));
});

test('every visible trigger, action and search has a sample and output fields', () => {
  for (const group of ['triggers', 'creates', 'searches']) {
    for (const [key, item] of Object.entries(App[group])) {
      assert.ok(item.operation.sample && item.operation.sample.id, `${group}.${key} has no sample with an id`);
      assert.ok(item.operation.outputFields.length, `${group}.${key} has no output fields`);
    }
  }
});

test('there is one REST-hook trigger per webhook event of the API', () => {
  const events = Object.values(App.triggers)
    .filter((trigger) => trigger.operation.type === 'hook')
    .map((trigger) => trigger.key);
  assert.deepEqual(events.sort(), [
    'call_completed',
    'deal_status_changed',
    'new_client',
    'new_deal',
    'new_lead',
    'new_task',
    'task_completed',
  ]);
});
