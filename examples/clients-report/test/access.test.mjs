// Unit tests of the clients-report extension: what capabilities, users, tenants and a host
// failure do to its answers (403, the portal user's own client, 502).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost } from '@alga-psa/extension-test-host';
import * as d from './data.mjs';

const host = createTestHost(d.fixture);

test('an install without cap:service.read gets 403 for the catalog, not for clients', () => {
  const view = host.as({ tenantId: d.TENANT, installId: d.CLIENTS_ONLY });
  assert.equal(d.get(view, '/clients').status, 200);
  const refused = d.get(view, '/services');
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error, 'not-allowed');
  // /report reads both: the first refused call decides.
  assert.equal(d.get(view, '/report').status, 403);
});

test('a portal user sees only their own client; their role lacks service:read for portal users', () => {
  const portal = host.as({ tenantId: d.TENANT, installId: d.INSTALL, userId: d.PORTAL });
  assert.deepEqual(
    d.get(portal, '/clients', { includeInactive: 'true' }).body.items.map((c) => c.clientId),
    [d.ACME],
  );
  assert.equal(d.get(portal, `/clients/${d.BETA}`).status, 404);
  assert.equal(d.get(portal, '/services').status, 403);
});

test('a user who is not in the tenant is refused every call', () => {
  const stranger = host.as({ tenantId: d.OTHER_TENANT, installId: d.OTHER_INSTALL, userId: d.STAFF });
  assert.equal(d.get(stranger, '/clients').status, 403);
});

test('another tenant sees its own data under the same ids', () => {
  const other = host.as({ tenantId: d.OTHER_TENANT, installId: d.OTHER_INSTALL });
  assert.equal(d.get(other, `/clients/${d.ACME}`).body.clientName, 'Acme of another tenant');
  assert.equal(d.get(other, '/services').body.totalCount, 0);
  // An install of another tenant grants nothing here.
  assert.equal(d.get(host.as({ tenantId: d.TENANT, installId: d.OTHER_INSTALL }), '/clients').status, 403);
});

test('a host failure is 502 and the next call after it succeeds', () => {
  const h = createTestHost(d.fixture);
  const view = h.as({ tenantId: d.TENANT, installId: d.INSTALL });
  h.storeOutage(true);
  const failed = d.get(view, '/clients');
  assert.equal(failed.status, 502);
  assert.equal(failed.body.error, 'internal');
  h.storeOutage(false);
  assert.equal(d.get(view, '/clients').status, 200);
});
