// Unit tests of the clients-report extension: each route's answer for data held by the
// in-memory test host (@alga-psa/extension-test-host), without building the WebAssembly
// component. Run with `npm test` (tsc, then node --test under the test
// host's register hooks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost } from '@alga-psa/extension-test-host';
import * as d from './data.mjs';

const host = createTestHost(d.fixture);
const job = host.as({ tenantId: d.TENANT, installId: d.INSTALL });
const staff = host.as({ tenantId: d.TENANT, installId: d.INSTALL, userId: d.STAFF });

test('GET / lists the routes', () => {
  const { status, type, body } = d.get(job, '/');
  assert.equal(status, 200);
  assert.equal(type, 'application/json');
  assert.deepEqual(body.routes, [
    'GET /clients',
    'GET /clients/:id',
    'GET /services',
    'GET /services/:id',
    'GET /quote',
    'GET /report',
  ]);
});

test('GET /clients: active clients ordered by name case-insensitively', () => {
  const { status, body } = d.get(staff, '/clients');
  assert.equal(status, 200);
  assert.deepEqual(
    body.items.map((c) => c.clientName),
    ['Acme', 'beta GmbH'],
  );
  assert.equal(body.totalCount, 2);
  assert.deepEqual(body.items[0].tags, ['msp', 'vip']);
  assert.equal(body.items[0].accountManagerName, 'Ada Lovelace');
  // JSON leaves out an absent option.
  assert.ok(!('billingEmail' in body.items[0]));
});

test('GET /clients passes search, includeInactive and paging to the host', () => {
  assert.deepEqual(
    d.get(job, '/clients', { search: 'BETA.example' }).body.items.map((c) => c.clientId),
    [d.BETA],
  );
  const page = d.get(job, '/clients', { includeInactive: 'true', page: '2', pageSize: '2' }).body;
  assert.deepEqual(
    page.items.map((c) => c.clientName),
    ['Gamma KK'],
  );
  assert.equal(page.totalCount, 3);
  assert.equal(page.page, 2);
});

test('GET /clients/:id: the client, 404 when none, 400 with the host message for a bad id', () => {
  assert.equal(d.get(job, `/clients/${d.GAMMA.toUpperCase()}`).body.clientId, d.GAMMA);
  const missing = d.get(job, '/clients/00000000-0000-0000-0000-000000000000');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error, 'not-found');
  const bad = d.get(job, '/clients/acme');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'invalid-input');
  assert.match(bad.body.message, /^client-id .*UUID/);
});

test('GET /services with a currency: the items priced in it, each with all its prices', () => {
  const { status, body } = d.get(job, '/services', { currencyCode: ' eur ' });
  assert.equal(status, 200);
  assert.deepEqual(
    body.items.map((s) => s.serviceName),
    ['Backup', 'Support'],
  );
  assert.deepEqual(body.items[1].prices, [
    { currencyCode: 'EUR', rate: 14000 },
    { currencyCode: 'USD', rate: 15000 },
  ]);
  const bad = d.get(job, '/services', { currencyCode: 'EURO' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /^currency-code /);
});

test('GET /services filters by kind and billing method; GET /services/:id', () => {
  assert.deepEqual(
    d.get(job, '/services', { itemKind: 'product' }).body.items.map((s) => s.serviceId),
    [d.LICENCE],
  );
  assert.equal(d.get(job, '/services', { billingMethod: 'usage', isActive: 'true' }).body.totalCount, 1);
  assert.equal(d.get(job, `/services/${d.SUPPORT}`).body.serviceName, 'Support');
  assert.equal(d.get(job, `/services/${d.ACME}`).status, 404);
});

test('GET /quote: the price in the client currency, 409 without one, 404 for an unknown id', () => {
  const usd = d.get(job, '/quote', { clientId: d.ACME, serviceId: d.SUPPORT });
  assert.equal(usd.status, 200);
  assert.deepEqual(usd.body, {
    clientId: d.ACME,
    serviceId: d.SUPPORT,
    serviceName: 'Support',
    currencyCode: 'USD',
    rate: 15000,
    unitOfMeasure: 'hour',
  });
  assert.equal(d.get(job, '/quote', { clientId: d.BETA, serviceId: d.BACKUP }).body.rate, 5);
  const none = d.get(job, '/quote', { clientId: d.ACME, serviceId: d.BACKUP });
  assert.equal(none.status, 409);
  assert.deepEqual(none.body.pricedIn, ['EUR']);
  assert.equal(d.get(job, '/quote', { clientId: d.ACME, serviceId: d.ACME }).status, 404);
  assert.equal(d.get(job, '/quote', { clientId: d.ACME }).status, 400);
});

test('GET /report counts clients and items per billing method', () => {
  const { status, body } = d.get(staff, '/report');
  assert.equal(status, 200);
  assert.deepEqual(body, {
    clients: { active: 2, inactive: 1 },
    servicesByBillingMethod: { fixed: 1, hourly: 1, usage: 1 },
  });
});

test('query parameters the extension cannot parse are its own 400; unknown routes 404', () => {
  assert.equal(d.get(job, '/clients', { page: 'abc' }).body.error, 'bad-query');
  assert.match(d.get(job, '/clients', { serach: 'x' }).body.message, /unknown query parameter serach/);
  assert.equal(d.get(job, '/services', { itemKind: 'Service' }).status, 400);
  assert.equal(d.get(job, '/nowhere').status, 404);
  // The host's bound, not the extension's: page-size 500 is a number the host refuses.
  const tooBig = d.get(job, '/clients', { pageSize: '500' });
  assert.equal(tooBig.status, 400);
  assert.equal(tooBig.body.message, 'page-size must be between 1 and 100, got 500');
});
