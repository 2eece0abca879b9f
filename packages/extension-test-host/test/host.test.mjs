//! Tests of the test host's functions through `host.as(...)`: what an extension sees for
//! each rule of SPEC.md (capabilities, users, validation, listing, data, prices, versions,
//! outage) and the shapes the componentize-js bindings give a guest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ComponentError, FixtureError, createTestHost } from '../index.mjs';
import * as d from './data.mjs';

const host = createTestHost(d.fixture());
const job = host.as({ tenantId: d.T1, installId: d.BOTH });

/** The read-error a call throws (fails when it returns). */
function errorOf(call) {
  try {
    call();
  } catch (e) {
    assert.ok(e instanceof ComponentError, `expected a ComponentError, got ${e}`);
    assert.ok(e instanceof Error);
    return e.payload;
  }
  assert.fail('the call returned');
}

const names = (page) => page.items.map((c) => c.clientName ?? c.serviceName);

test('capabilities: each function needs its own, checked before the input (CAP-1, CAP-2, CAP-3, CTX-2)', () => {
  const clientsOnly = host.as({ tenantId: d.T1, installId: d.CLIENTS_ONLY });
  assert.equal(clientsOnly.clients.listClients({}).totalCount, 7);
  assert.deepEqual(
    errorOf(() => clientsOnly.services.listServices({})),
    { tag: 'not-allowed' },
  );
  assert.deepEqual(
    errorOf(() => clientsOnly.services.getService('nonsense')),
    { tag: 'not-allowed' },
  );
  const none = host.as({ tenantId: d.T1, installId: d.NONE });
  assert.deepEqual(
    errorOf(() => none.clients.listClients({ page: 0 })),
    { tag: 'not-allowed' },
  );
  const spelt = host.as({ tenantId: d.T1, installId: d.SPELT });
  assert.equal(spelt.clients.getClient(d.ACME).clientName, 'Acme');
  // Another tenant's install grants nothing here.
  const foreign = host.as({ tenantId: d.T1, installId: d.T2_INSTALL });
  assert.deepEqual(
    errorOf(() => foreign.clients.getClient(d.ACME)),
    { tag: 'not-allowed' },
  );
  const noTenant = host.as({ tenantId: '99999999-0000-4000-8000-000000000000', installId: d.BOTH });
  assert.deepEqual(
    errorOf(() => noTenant.clients.listClients({})),
    { tag: 'not-allowed' },
  );
});

test('users: permission, inactive, wrong type, unknown (AUTH-1, AUTH-2, AUTH-3)', () => {
  const as = (userId, userType) => host.as({ tenantId: d.T1, installId: d.BOTH, userId, userType });
  assert.equal(as(d.STAFF).services.listServices({}).totalCount, 3);
  assert.equal(as(d.STAFF.toUpperCase()).clients.listClients({}).totalCount, 7);
  for (const view of [
    as(d.STAFF_NO_PERMISSION),
    as(d.STAFF_INACTIVE),
    as(d.STAFF, 'client'),
    as('99999999-0000-4000-8000-000000000000'),
    as(d.PORTAL_MSP_ONLY),
  ]) {
    assert.deepEqual(
      errorOf(() => view.clients.listClients({ pageSize: 0 })),
      { tag: 'not-allowed' },
    );
  }
  // The portal user holds client:read only.
  assert.deepEqual(
    errorOf(() => as(d.PORTAL).services.listServices({})),
    { tag: 'not-allowed' },
  );
});

test('a portal user sees only their own client (AUTH-4)', () => {
  const portal = host.as({ tenantId: d.T1, installId: d.BOTH, userId: d.PORTAL });
  assert.equal(portal.context.user.userType, 'client');
  const page = portal.clients.listClients({ includeInactive: true });
  assert.deepEqual(
    page.items.map((c) => c.clientId),
    [d.ACME],
  );
  assert.equal(page.totalCount, 1);
  assert.equal(portal.clients.listClients({ search: 'zulu' }).totalCount, 0);
  assert.equal(portal.clients.getClient(d.ZULU), undefined);
  assert.equal(portal.clients.getClient(d.ACME.toUpperCase()).clientId, d.ACME);
  const orphan = host.as({ tenantId: d.T1, installId: d.BOTH, userId: d.PORTAL_NO_CLIENT });
  assert.equal(orphan.clients.listClients({}).totalCount, 0);
  assert.equal(orphan.clients.getClient(d.ACME), undefined);
});

test('validation messages name the field and its bound (VAL-1 to VAL-5)', () => {
  const val = (call) => {
    const error = errorOf(call);
    assert.equal(error.tag, 'invalid-input');
    return error.val;
  };
  assert.equal(
    val(() => job.clients.listClients({ page: 0 })),
    'page must be between 1 and 10000, got 0',
  );
  assert.equal(
    val(() => job.clients.listClients({ page: 10001 })),
    'page must be between 1 and 10000, got 10001',
  );
  assert.equal(
    val(() => job.services.listServices({ pageSize: 500 })),
    'page-size must be between 1 and 100, got 500',
  );
  assert.equal(
    val(() => job.clients.listClients({ search: ` ${'x'.repeat(201)} ` })),
    'search must be at most 200 characters after trimming, got 201',
  );
  assert.equal(job.clients.listClients({ search: `\t${'\u{1F600}'.repeat(200)}\n` }).totalCount, 0);
  assert.match(
    val(() => job.clients.listClients({ search: 'x'.repeat(1 << 20) })),
    /^search .*200/,
  );
  assert.equal(
    val(() => job.clients.listClients({ search: 'abc\u0000' })),
    'search must not contain control characters, found U+0000 at character 4',
  );
  assert.match(
    val(() => job.clients.listClients({ search: 'a\tb' })),
    /^search .*control.*U\+0009/,
  );
  assert.match(
    val(() => job.clients.listClients({ search: 'a\u0085b' })),
    /^search .*control/,
  );
  assert.equal(
    val(() => job.clients.getClient('abc')),
    'client-id must be a UUID in canonical text form (8-4-4-4-12 hex digits), got "abc"',
  );
  const long = val(() => job.services.getService('y'.repeat(100)));
  assert.match(long, /^service-id .*UUID/);
  assert.ok(!long.includes('y'.repeat(65)), 'repeats at most 64 characters of the input');
  assert.match(
    val(() => job.clients.getClient(` ${d.ACME}`)),
    /^client-id /,
  );
  for (const code of ['', '   ', 'EURO', 'E1R', '\u00c9UR', 'E R', 'EU\u0000', 'EU']) {
    assert.match(
      val(() => job.services.listServices({ currencyCode: code })),
      /^currency-code .*three/,
      code,
    );
  }
});

test('search: trimmed, ASCII-only case-insensitive substring, wildcards literal, whole-UUID ids (VAL-2, SRCH-1, SRCH-2)', () => {
  assert.deepEqual(names(job.clients.listClients({ search: '\tACME\n' })), ['Acme', 'acme']);
  assert.deepEqual(names(job.clients.listClients({ search: '   ' })), names(job.clients.listClients({})));
  assert.deepEqual(names(job.clients.listClients({ search: '50%' })), ['50% off']);
  assert.deepEqual(names(job.clients.listClients({ search: 'a_b' })), ['a_b']);
  assert.deepEqual(names(job.clients.listClients({ search: '%' })), ['50% off']);
  assert.deepEqual(names(job.clients.listClients({ search: 'ZULU.EXAMPLE' })), ['zulu']);
  assert.deepEqual(names(job.clients.listClients({ search: d.ZULU.toUpperCase() })), ['zulu']);
  // Part of an id is not an id search.
  assert.equal(job.clients.listClients({ search: d.ZULU.slice(0, 8) }).totalCount, 0);
  // Services: name, SKU, description.
  assert.deepEqual(names(job.services.listServices({ search: 'cons-' })), ['Consulting']);
  assert.deepEqual(names(job.services.listServices({ search: 'ENGINEER' })), ['Consulting']);
  assert.equal(job.services.listServices({ search: CONSULTING_ID() }).totalCount, 0);
});
const CONSULTING_ID = () => d.CONSULTING;

test('order: fold(name) by code point, then id; pages walk the set once (PAGE-1 to PAGE-4, FILT-1)', () => {
  const all = job.clients.listClients({ includeInactive: true, pageSize: 100 });
  assert.deepEqual(names(all), [
    '50% off',
    'a_b',
    'Acme',
    'acme',
    'Idle',
    'zulu',
    '\u{E000} private',
    '\u{1F600} smile',
  ]);
  assert.equal(all.totalCount, 8);
  const walked = [];
  for (let page = 1; page <= 3; page++) {
    const p = job.clients.listClients({ includeInactive: true, page, pageSize: 3 });
    assert.equal(p.page, page);
    assert.equal(p.pageSize, 3);
    assert.equal(p.totalCount, 8);
    walked.push(...names(p));
  }
  assert.deepEqual(walked, names(all));
  const past = job.clients.listClients({ page: 10000, pageSize: 100 });
  assert.deepEqual(past, { items: [], totalCount: 7, page: 10000, pageSize: 100 });
  const defaults = job.clients.listClients({});
  assert.equal(defaults.page, 1);
  assert.equal(defaults.pageSize, 25);
  assert.ok(!names(defaults).includes('Idle'));
});

test('summaries as stored, options as undefined (DATA-1, DATA-2, DATA-3)', () => {
  const acme = job.clients.getClient(d.ACME.toUpperCase());
  assert.deepEqual(acme, {
    clientId: d.ACME,
    clientName: 'Acme',
    clientType: 'company',
    isInactive: false,
    defaultCurrencyCode: 'USD',
    accountManagerId: d.STAFF,
    accountManagerName: 'Ada  Lovelace',
    billingEmail: undefined,
    // By code point: U+E000 before U+1F600 (UTF-16 units would put the emoji first).
    tags: ['A', 'b', 'vip', '\u{E000}', '\u{1F600}'],
  });
  assert.ok(Object.hasOwn(acme, 'billingEmail'));
  // A manager whose trimmed name is empty has no name.
  assert.equal(job.clients.getClient(d.ACME_LOWER).accountManagerName, undefined);
  assert.equal(job.clients.getClient(d.INACTIVE).isInactive, true);
  assert.deepEqual(job.clients.listClients({ search: 'Acme' }).items[0], acme);
  assert.equal(job.clients.getClient('00000000-0000-0000-0000-000000000000'), undefined);
  const consulting = job.services.getService(d.CONSULTING);
  assert.deepEqual(consulting, {
    serviceId: d.CONSULTING,
    serviceName: 'Consulting',
    itemKind: 'service',
    billingMethod: 'hourly',
    serviceTypeId: d.MANAGED,
    serviceTypeName: 'Managed',
    defaultRate: 15000,
    prices: [
      { currencyCode: 'EUR', rate: 14000 },
      { currencyCode: 'USD', rate: 15000 },
    ],
    unitOfMeasure: 'hour',
    isActive: true,
    sku: 'CONS-1',
  });
  assert.equal(job.services.getService(d.LAPTOP).defaultRate, 9007199254740991);
});

test('tenant isolation (CTX-1, ISO-1, ISO-2)', () => {
  const other = host.as({ tenantId: d.T2, installId: d.T2_INSTALL });
  assert.equal(other.clients.getClient(d.ACME).clientName, 'Other tenant Acme');
  assert.equal(other.clients.getClient(d.ZULU), undefined);
  assert.deepEqual(names(other.clients.listClients({ search: 'zulu' })), []);
  assert.equal(job.clients.getClient(d.ACME).clientName, 'Acme');
});

test('service filters and the currency filter (FILT-2, PRICE-2, VAL-5)', () => {
  assert.deepEqual(names(job.services.listServices({})), ['Backup', 'Consulting', 'laptop']);
  assert.deepEqual(names(job.services.listServices({ itemKind: 'product' })), ['laptop']);
  assert.deepEqual(names(job.services.listServices({ isActive: true, billingMethod: 'usage' })), ['Backup']);
  assert.deepEqual(names(job.services.listServices({ isActive: false, billingMethod: 'usage' })), []);
  for (const code of ['EUR', ' eur ', 'Eur', '\teUr\u3000']) {
    const page = job.services.listServices({ currencyCode: code });
    assert.deepEqual(names(page), ['Consulting'], code);
    assert.equal(page.items[0].prices.length, 2);
  }
  assert.deepEqual(job.services.listServices({ currencyCode: 'XYZ' }), {
    items: [],
    totalCount: 0,
    page: 1,
    pageSize: 25,
  });
});

test('a 0.1.0 view has no prices and no currency filter (VER-1)', () => {
  const old = host.as({ tenantId: d.T1, installId: d.BOTH }, '0.1.0');
  const page = old.services.listServices({ currencyCode: 'not even checked' });
  assert.deepEqual(names(page), ['Backup', 'Consulting', 'laptop']);
  for (const item of page.items) assert.ok(!('prices' in item));
  const { prices, ...rest } = job.services.getService(d.CONSULTING);
  assert.equal(prices.length, 2);
  assert.deepEqual(old.services.getService(d.CONSULTING), rest);
  assert.equal(
    createTestHost(d.fixture(), { version: '0.1.0' }).as({ tenantId: d.T1, installId: d.BOTH }).version,
    '0.1.0',
  );
});

test('a store outage answers internal until it ends (ERR-1)', () => {
  const h = createTestHost(d.fixture());
  const view = h.as({ tenantId: d.T1, installId: d.BOTH });
  h.storeOutage(true);
  assert.deepEqual(
    errorOf(() => view.clients.listClients({})),
    { tag: 'internal' },
  );
  h.storeOutage(false);
  assert.equal(view.clients.listClients({}).totalCount, 7);
});

test('values the bindings could not lower throw a TypeError naming the field', () => {
  assert.throws(() => job.clients.listClients({ page: -1 }), {
    name: 'TypeError',
    message: /input\.page must be a u32/,
  });
  assert.throws(() => job.clients.listClients({ pageSize: 1.5 }), { name: 'TypeError', message: /pageSize/ });
  assert.throws(() => job.clients.listClients({ page: 2 ** 32 }), TypeError);
  assert.throws(() => job.clients.getClient(42), { name: 'TypeError', message: /client-id must be a string/ });
  assert.throws(() => job.services.listServices({ itemKind: 'Service' }), { name: 'TypeError', message: /itemKind/ });
  assert.throws(() => job.clients.listClients(), { name: 'TypeError', message: /input must be an object/ });
  // null and undefined are both none; unknown keys are ignored like the bindings do.
  assert.equal(job.clients.listClients({ page: null, search: undefined, other: 1 }).page, 1);
  // Lone surrogates arrive as U+FFFD.
  assert.equal(job.clients.listClients({ search: '\ud800' }).totalCount, 0);
});

test('misuse of the host throws precise errors, never a ComponentError', () => {
  assert.throws(() => host.as({ tenant: d.T1, installId: d.BOTH }), { message: /unknown key "tenant"/ });
  assert.throws(() => host.as({ tenantId: d.T1 }), { message: /needs installId/ });
  assert.throws(() => host.as({ tenantId: d.T1, installId: d.BOTH, userId: d.STAFF, userType: 'staff' }), TypeError);
  assert.throws(() => createTestHost(d.fixture(), { version: '0.3.0' }), { message: /version must be one of/ });
  assert.throws(() => createTestHost(d.fixture(), { versoin: '0.1.0' }), { message: /unknown option "versoin"/ });
});

test('fixtures that break PROTOCOL.md are refused with the place named', () => {
  const broken = (edit) => {
    const f = d.fixture();
    edit(f.tenants[0]);
    return () => createTestHost(f);
  };
  const cases = [
    [(t) => (t.clients[0].clientNmae = 'x'), /clients\[0\] has an unknown key "clientNmae"/],
    [(t) => delete t.clients[0].clientName, /clients\[0\] needs the key clientName/],
    [(t) => (t.clients[0].clientId = d.ACME.toUpperCase()), /clientId must be a lower-case UUID/],
    [(t) => (t.clients[1].clientId = t.clients[0].clientId), /two clients have the id/],
    [(t) => (t.clients[0].accountManagerId = d.ACME), /refers to .* which the tenant does not have/],
    [(t) => (t.services[0].prices[0].currencyCode = 'usd'), /three upper-case ASCII letters/],
    [(t) => (t.services[0].prices[1].currencyCode = 'USD'), /two prices in USD/],
    [(t) => (t.services[0].defaultRateCents = 2 ** 53), /at most 2\^53 - 1/],
    [(t) => (t.services[0].defaultRateCents = 1.5), /integer/],
    [(t) => (t.clients[0].tags = ['a\u0000']), /NUL/],
    [
      (t) => t.serviceTypes.push({ serviceTypeId: 'f0000000-0000-4000-8000-000000000002', name: 'Managed' }),
      /two service types are named/,
    ],
    [(t) => (t.users[0].userType = 'staff'), /userType must be one of/],
  ];
  for (const [edit, message] of cases)
    assert.throws(broken(edit), (e) => e instanceof FixtureError && message.test(e.message));
  assert.throws(() => createTestHost({ tenants: [{ tenantId: d.T1 }, { tenantId: d.T1 }] }), /appears twice/);
  assert.throws(() => createTestHost({}), /fixture needs the key tenants/);
});

test('load replaces all data', () => {
  const h = createTestHost(d.fixture());
  h.load({ tenants: [] });
  assert.deepEqual(
    errorOf(() => h.as({ tenantId: d.T1, installId: d.BOTH }).clients.listClients({})),
    {
      tag: 'not-allowed',
    },
  );
});
