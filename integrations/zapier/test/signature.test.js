'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { verify, TOLERANCE_SECONDS } = require('../src/signature');

// The Standard Webhooks specification's own example (standardwebhooks.com), also what the
// `standardwebhooks` Python package signs for these inputs.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const headers = (extra = {}) => ({
  'webhook-id': ID,
  'webhook-timestamp': String(TIMESTAMP),
  'webhook-signature': SIGNATURE,
  ...extra,
});

test('the specification example verifies, with headers in any case or with Zapier\'s Http- prefix', () => {
  assert.equal(verify(SECRET, headers(), BODY, TIMESTAMP), true);
  const zapierStyle = { 'Http-Webhook-Id': ID, 'Http-Webhook-Timestamp': String(TIMESTAMP), 'Http-Webhook-Signature': SIGNATURE };
  assert.equal(verify(SECRET, zapierStyle, BODY, TIMESTAMP + 10), true);
});

test('one of several signatures (a secret being rotated) is enough', () => {
  const several = headers({ 'webhook-signature': `v1,AAAA v1a,xyz ${SIGNATURE}` });
  assert.equal(verify(SECRET, several, BODY, TIMESTAMP), true);
});

test('a changed body, id, secret or a stale timestamp fails', () => {
  assert.equal(verify(SECRET, headers(), BODY.replace('2432', '9999'), TIMESTAMP), false);
  assert.equal(verify(SECRET, headers({ 'webhook-id': 'msg_other' }), BODY, TIMESTAMP), false);
  assert.equal(verify('whsec_' + Buffer.from('another key').toString('base64'), headers(), BODY, TIMESTAMP), false);
  assert.equal(verify(SECRET, headers(), BODY, TIMESTAMP + TOLERANCE_SECONDS + 1), false);
  assert.equal(verify(SECRET, headers(), BODY, TIMESTAMP - TOLERANCE_SECONDS - 1), false);
});

test('missing headers or a malformed signature fail without throwing', () => {
  assert.equal(verify(SECRET, {}, BODY, TIMESTAMP), false);
  assert.equal(verify(SECRET, headers({ 'webhook-signature': 'v1,' }), BODY, TIMESTAMP), false);
  assert.equal(verify(SECRET, headers({ 'webhook-signature': 'garbage' }), BODY, TIMESTAMP), false);
  assert.equal(verify(SECRET, headers({ 'webhook-timestamp': 'soon' }), BODY, TIMESTAMP), false);
  assert.equal(verify(null, headers(), BODY, TIMESTAMP), false);
});
