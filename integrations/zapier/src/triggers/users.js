'use strict';

const { api } = require('../client');

/** A team fits in a few pages; a dropdown wants it whole. */
const MAX_PAGES = 10;

/** Hidden: the team's active users, for the "responsible user" dropdowns. */
const perform = async (z, bundle) => {
  const users = [];
  let cursor = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const params = cursor ? { limit: 100, cursor } : { limit: 100 };
    const response = await z.request({ url: api(bundle, '/users'), params });
    users.push(...response.data.items);
    cursor = response.data.next_cursor;
    if (!cursor) break;
  }
  return users.filter((user) => user.active);
};

module.exports = {
  key: 'users',
  noun: 'User',
  display: { label: 'Users', description: 'The team, for dropdowns.', hidden: true },
  operation: {
    type: 'polling',
    perform,
    sample: { id: '01JD5Q3V9X8Y7Z6W5V4T3S2R0A', name: 'Alice Martin', email: 'alice@example.com', active: true },
    outputFields: [
      { key: 'id', label: 'ID' },
      { key: 'name', label: 'Name' },
      { key: 'email', label: 'Email' },
    ],
  },
};
