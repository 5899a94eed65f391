'use strict';

/**
 * The Zapier app against a real CRM (the local stack), through the platform's app tester:
 * the same code paths Zapier runs, with real HTTP, real keys and real signed deliveries.
 */

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');
const zapier = require('zapier-platform-core');

const App = require('..');
const { BASE, call, must, newCrm, receiver } = require('./crm');

const appTester = zapier.createAppTester(App);

let crm;
let auth;
let hooks;

before(async () => {
  crm = await newCrm();
  auth = { api_url: `${BASE}/`, api_key: crm.apiKey };
  hooks = await receiver();
});

after(async () => {
  if (hooks) await hooks.close();
});

const run = (method, inputData = {}, extra = {}) => appTester(method, { authData: auth, inputData, ...extra });

/** The message of an app error (the platform serialises {message, code, status} into it). */
const message = (error) => {
  try {
    return JSON.parse(error.message).message;
  } catch {
    return error.message;
  }
};

/** Assert that `promise` fails with a message matching `pattern`. */
const failsWith = (promise, pattern) =>
  assert.rejects(promise, (error) => {
    assert.match(message(error), pattern);
    return true;
  });

describe('connecting an account', () => {
  test('an api key connects and is labelled with its owner', async () => {
    const me = await run(App.authentication.test);
    assert.equal(me.email, crm.admin.email);
    const label = App.authentication.connectionLabel(null, { inputData: me });
    assert.equal(label, `Zoe Admin <${crm.admin.email}>`);
  });

  test('a wrong or deleted key is refused with what to do', async () => {
    await failsWith(
      appTester(App.authentication.test, { authData: { api_url: BASE, api_key: 'crm_nope' } }),
      /refused the API key/,
    );
  });

  test('a forms key is refused with the scope it needs', async () => {
    await failsWith(
      appTester(App.authentication.test, { authData: { api_url: BASE, api_key: crm.formsKey } }),
      /"forms" key: Zapier needs a key with the "api" scope/,
    );
  });

  test('an address that is not a URL is refused before any call', async () => {
    await failsWith(
      appTester(App.authentication.test, { authData: { api_url: 'crm.example.com', api_key: crm.apiKey } }),
      /must start with https:\/\//,
    );
  });

  test('a key over its rate limit is throttled with the wait the CRM asks for', async () => {
    const slow = { api_url: BASE, api_key: crm.slowKey };
    await appTester(App.authentication.test, { authData: slow });
    await appTester(App.authentication.test, { authData: slow });
    await assert.rejects(appTester(App.authentication.test, { authData: slow }), (error) => {
      assert.equal(error.name, 'ThrottledError');
      assert.ok(JSON.parse(error.message).delay > 0, error.message);
      return true;
    });
  });
});

describe('actions', () => {
  test('create lead lands in the unsorted pool from zapier with its UTM source tags', async () => {
    await must('POST', '/properties', { token: crm.token, body: { key: 'budget', title: 'Budget', kind: 'number' } });
    const fields = await run(App.creates.lead.operation.inputFields);
    assert.ok(fields.some((field) => field.key === 'property__budget' && field.type === 'number'));

    const lead = await run(App.creates.lead.operation.perform, {
      name: 'Ada Lovelace',
      phone: '+33 6 11 22 33 44',
      email: 'ada@example.com',
      comment: 'From the autumn ad',
      tags: ['ads'],
      utm_source: 'facebook',
      utm_campaign: 'autumn',
      property__budget: '5000',
      if_exists: 'note',
    });
    assert.equal(lead.record_type, 'lead');
    assert.equal(lead.existing, false);
    assert.equal(lead.lead_source, 'zapier');
    assert.equal(lead.responsible_user_id, null);
    assert.equal(lead.phone, '+33611223344');
    assert.deepEqual(lead.tags, ['ads']);
    assert.equal(lead.properties.budget, '5000'); // property values are strings in the API
    const tags = (await must('GET', '/source-tags', { token: crm.token })).items;
    assert.deepEqual(
      tags.map((tag) => `${tag.param}=${tag.value}:${tag.leads}`).sort(),
      ['utm_campaign=autumn:1', 'utm_source=facebook:1'],
    );
    const unsorted = (await must('GET', '/leads?scope=unsorted', { token: crm.token })).items;
    assert.ok(unsorted.some((item) => item.id === lead.id));
  });

  test('a person already known gets a note instead of a second lead', async () => {
    const first = await run(App.creates.lead.operation.perform, { name: 'Grace Hopper', phone: '+33622334455', if_exists: 'note' });
    const again = await run(App.creates.lead.operation.perform, {
      name: 'Grace H.',
      phone: '06 22 33 44 55',
      comment: 'Filled the form twice',
      if_exists: 'note',
    });
    assert.equal(again.id, first.id);
    assert.equal(again.existing, true);
    const feed = (await must('GET', `/leads/${first.id}/feed`, { token: crm.token })).items;
    assert.ok(feed.some((entry) => entry.kind === 'note' && /Filled the form twice/.test(entry.text)), JSON.stringify(feed));
    await failsWith(
      run(App.creates.lead.operation.perform, { name: 'Grace', phone: '+33622334455', if_exists: 'error' }),
      new RegExp(`existing lead: ${first.id}`),
    );
  });

  test('a bad field comes back as the API names it', async () => {
    await failsWith(
      run(App.creates.client.operation.perform, { name: 'Bad Phone', phone: 'not a phone', if_exists: 'error' }),
      /field: phones\[0\]/,
    );
  });

  test('create client, then a task for it and notes on it', async () => {
    const client = await run(App.creates.client.operation.perform, {
      name: 'Acme Ltd',
      status: 'company',
      type: 'partner',
      email: 'buyer@acme.example',
      responsible_user_id: crm.admin.id,
      if_exists: 'error',
    });
    assert.equal(client.record_type, 'client');
    assert.equal(client.type, 'partner');
    assert.equal(client.email, 'buyer@acme.example');

    const task = await run(App.creates.task.operation.perform, {
      title: 'Call Acme back',
      type: 'call',
      start: '2030-01-15T10:00:00+01:00',
      contact_id: client.id,
      responsible_user_id: crm.admin.id,
      remind_minutes_before: '30',
    });
    assert.equal(task.title, 'Call Acme back');
    assert.equal(Date.parse(task.start), Date.parse('2030-01-15T09:00:00Z'));
    assert.deepEqual(task.contact_ids, [client.id]);
    assert.equal(task.remind_minutes_before, 30);

    const note = await run(App.creates.note.operation.perform, { record_type: 'client', record_id: client.id, text: 'Sent the quote' });
    assert.equal(note.kind, 'note');
    const feed = (await must('GET', `/clients/${client.id}/feed`, { token: crm.token })).items;
    assert.ok(feed.some((entry) => entry.id === note.id && entry.text === 'Sent the quote'));
    await failsWith(
      run(App.creates.note.operation.perform, { record_type: 'client', record_id: 'no-such-id', text: 'x' }),
      /not found|no such/i,
    );
  });

  test('the responsible-user dropdown lists the team', async () => {
    const users = await run(App.triggers.users.operation.perform);
    assert.deepEqual(users.map((user) => user.id), [crm.admin.id]);
  });
});

describe('find contact', () => {
  test('by phone in any format, by email, and nothing for a stranger', async () => {
    const client = await run(App.creates.client.operation.perform, {
      name: 'Marie Curie',
      phone: '+33 6 98 76 54 32',
      email: 'marie@radium.example',
      if_exists: 'error',
    });
    const byPhone = await run(App.searches.contact.operation.perform, { phone: '06 98 76 54 32' });
    assert.deepEqual(byPhone.map((found) => [found.id, found.record_type]), [[client.id, 'client']]);
    const byEmail = await run(App.searches.contact.operation.perform, { email: 'MARIE@radium.example' });
    assert.deepEqual(byEmail.map((found) => found.id), [client.id]);
    assert.equal(byEmail[0].feed, undefined);
    assert.deepEqual(await run(App.searches.contact.operation.perform, { phone: '+33 1 00 00 00 01' }), []);
    assert.deepEqual(await run(App.searches.contact.operation.perform, { email: 'nobody@nowhere.example' }), []);
    await failsWith(run(App.searches.contact.operation.perform, {}), /Give a phone or an email/);
  });
});

describe('REST-hook triggers', () => {
  test('a subscribed Zap receives the new lead once, signed, and unsubscribes cleanly', async () => {
    const targetUrl = hooks.url('/zap/new-lead');
    const subscribed = await run(App.triggers.new_lead.operation.performSubscribe, {}, { targetUrl });
    const again = await run(App.triggers.new_lead.operation.performSubscribe, {}, { targetUrl });
    assert.equal(again.id, subscribed.id, 'switching a Zap off and on must not pile up hooks');
    assert.match(subscribed.secret, /^whsec_/);

    const lead = await run(App.creates.lead.operation.perform, { name: 'Hook Lead', email: 'hook@example.com', if_exists: 'error' });
    const delivery = await hooks.next('/zap/new-lead', (body) => body.data.id === lead.id);
    const rawRequest = { method: 'POST', headers: delivery.headers, content: delivery.content };
    const bundle = { subscribeData: subscribed, rawRequest, cleanedRequest: JSON.parse(delivery.content) };

    const fired = await run(App.triggers.new_lead.operation.perform, {}, bundle);
    assert.deepEqual(fired.map((record) => [record.id, record.name, record.email]), [[lead.id, 'Hook Lead', 'hook@example.com']]);
    const retried = await run(App.triggers.new_lead.operation.perform, {}, bundle);
    assert.deepEqual(retried, [], 'a retried delivery (same webhook-id) must not trigger the Zap twice');

    const forged = { ...rawRequest, headers: { ...delivery.headers, 'webhook-id': 'msg_forged' }, content: delivery.content.replace('Hook Lead', 'Evil Lead') };
    const tampered = await run(App.triggers.new_lead.operation.perform, {}, { ...bundle, rawRequest: forged, cleanedRequest: JSON.parse(forged.content) });
    assert.deepEqual(tampered, [], 'a delivery that is not signed with the hook secret is ignored');

    const listed = await run(App.triggers.new_lead.operation.performList);
    assert.equal(listed[0].id, lead.id, 'the polling fallback lists the newest first');

    await run(App.triggers.new_lead.operation.performUnsubscribe, {}, { subscribeData: subscribed });
    const left = (await must('GET', '/hooks', { token: crm.token })).items;
    assert.ok(!left.some((hook) => hook.id === subscribed.id));
    await run(App.triggers.new_lead.operation.performUnsubscribe, {}, { subscribeData: subscribed }); // already gone: fine
  });

  test('deal status changes trigger once per change, optionally only for one status', async () => {
    const targetUrl = hooks.url('/zap/won');
    const subscribed = await run(App.triggers.deal_status_changed.operation.performSubscribe, { status: 'success' }, { targetUrl });
    const client = await run(App.creates.client.operation.perform, { name: 'Deal Co', if_exists: 'error' });
    const deal = await must('POST', '/deals', {
      token: crm.token,
      body: { title: 'Big one', client_id: client.id, value: { amount: '900.00', currency: 'EUR' } },
    });
    const moved = await must('PATCH', `/deals/${deal.id}`, { token: crm.token, body: { status: 'in_progress' } });
    await must('PATCH', `/deals/${deal.id}`, { token: crm.token, body: { status: 'success' } });

    const outcomes = [];
    for (const status of ['in_progress', 'success']) {
      const delivery = await hooks.next('/zap/won', (body) => body.data.id === deal.id && body.data.status === status);
      const bundle = {
        inputData: { status: 'success' },
        subscribeData: subscribed,
        rawRequest: { headers: delivery.headers, content: delivery.content },
        cleanedRequest: JSON.parse(delivery.content),
      };
      outcomes.push(await appTester(App.triggers.deal_status_changed.operation.perform, { authData: auth, ...bundle }));
    }
    assert.deepEqual(outcomes[0], [], 'in_progress is filtered out');
    assert.equal(outcomes[1].length, 1);
    assert.equal(outcomes[1][0].deal_id, deal.id);
    assert.equal(outcomes[1][0].id, `${deal.id}:${moved.version + 1}`);
    assert.equal(outcomes[1][0].value_amount, '900.00');

    const listed = await run(App.triggers.deal_status_changed.operation.performList, { status: 'success' });
    assert.deepEqual(listed.map((record) => record.deal_id), [deal.id]);
    await run(App.triggers.deal_status_changed.operation.performUnsubscribe, {}, { subscribeData: subscribed });
  });

  test('every event can be subscribed and sampled', async () => {
    for (const key of ['new_client', 'new_deal', 'new_task', 'task_completed', 'call_completed']) {
      const subscribed = await run(App.triggers[key].operation.performSubscribe, {}, { targetUrl: hooks.url(`/zap/${key}`) });
      assert.ok(subscribed.id, key);
      const samples = await run(App.triggers[key].operation.performList);
      assert.ok(Array.isArray(samples), key);
      await run(App.triggers[key].operation.performUnsubscribe, {}, { subscribeData: subscribed });
    }
    const reply = await call('GET', '/hooks', { token: crm.token });
    assert.deepEqual(reply.json.items, []);
  });
});
