//! Tests of testee.mjs over its standard input and output: the framing and every operation
//! of conformance/PROTOCOL.md. (The conformance suite itself runs against it in CI.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as d from './data.mjs';

const TESTEE = fileURLToPath(new URL('../testee.mjs', import.meta.url));

/** Runs the testee on these request lines; its exit status and response lines. */
function exchange(lines) {
  const run = spawnSync(process.execPath, [TESTEE], {
    input: lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join(''),
    encoding: 'utf8',
  });
  return {
    status: run.status,
    responses: run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    stderr: run.stderr,
  };
}

const context = { tenantId: d.T1, installId: d.BOTH, user: null };
const listClients = (pageSize) => ({
  interface: 'alga:extension/clients@0.2.0',
  function: 'list-clients',
  args: [{ search: null, includeInactive: null, page: null, pageSize }],
});

test('the testee answers every operation in order, and exits 0 after shutdown', () => {
  const { status, responses } = exchange([
    { id: 1, op: 'describe' },
    { id: 2, op: 'load-probe', path: '/tmp/probe.wasm' },
    { id: 3, op: 'load-fixture', fixture: d.fixture() },
    { id: 4, op: 'call', context, call: listClients(1) },
    'not json',
    {
      id: 5,
      op: 'call-batch',
      concurrent: true,
      calls: [
        { context, call: listClients(0) },
        { context: { ...context, tenantId: d.T2 }, call: listClients(1) },
      ],
    },
    { id: 6, op: 'store-outage', down: true },
    { id: 7, op: 'call', context, call: listClients(1) },
    { id: 8, op: 'store-outage', down: false },
    { id: 9, op: 'load-fixture', fixture: { tenants: [{ tenantId: d.T1, extra: 1 }] } },
    {
      id: 10,
      op: 'call',
      context,
      call: { interface: 'alga:extension/services@0.1.0', function: 'get-service', args: [d.CONSULTING] },
    },
    { id: 11, op: 'reset' },
    { id: 12, op: 'call', context, call: listClients(1) },
    { id: 13, op: 'fly' },
    { id: 14, op: 'shutdown' },
    { id: 15, op: 'describe' },
  ]);
  assert.equal(status, 0);
  assert.deepEqual(
    responses.map((r) => r.id),
    [1, 2, 3, 4, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
  );
  const [
    describe,
    probe,
    load,
    call,
    garbage,
    batch,
    down,
    during,
    up,
    rejected,
    old,
    reset,
    after,
    unknown,
    shutdown,
  ] = responses;
  assert.equal(describe.result.protocolVersion, 1);
  assert.deepEqual(describe.result.contractVersions, ['0.2.0', '0.1.0']);
  assert.equal(describe.result.storeOutage, true);
  assert.equal(probe.result, null);
  assert.equal(load.result, null);
  assert.equal(call.result.class, 'value');
  assert.equal(call.result.value.totalCount, 7);
  assert.equal(call.result.value.items[0].clientName, '50% off');
  assert.equal(call.result.value.items[0].billingEmail, null);
  assert.equal(garbage.error.kind, 'rejected');
  assert.deepEqual(batch.result[0], {
    class: 'contract-error',
    error: { tag: 'invalid-input', val: 'page-size must be between 1 and 100, got 0' },
  });
  assert.deepEqual(batch.result[1], { class: 'contract-error', error: { tag: 'not-allowed' } });
  assert.equal(down.result, null);
  assert.deepEqual(during.result, { class: 'contract-error', error: { tag: 'internal' } });
  assert.equal(up.result, null);
  assert.equal(rejected.error.kind, 'rejected');
  assert.match(rejected.error.message, /unknown key "extra"/);
  // The rejected fixture left the data as it was; 0.1.0 summaries have no prices.
  assert.equal(old.result.value.serviceName, 'Consulting');
  assert.ok(!('prices' in old.result.value));
  assert.equal(reset.result, null);
  assert.deepEqual(after.result, { class: 'contract-error', error: { tag: 'not-allowed' } });
  assert.equal(unknown.error.kind, 'rejected');
  assert.equal(shutdown.result, null);
});

test('the testee exits 0 when its input ends', () => {
  const { status, responses } = exchange([{ id: 1, op: 'reset' }]);
  assert.equal(status, 0);
  assert.deepEqual(responses, [{ id: 1, result: null }]);
});
