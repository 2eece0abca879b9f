//! Tests of the register hooks: a guest module importing `alga:extension/...@0.2.0` and
//! `@0.1.0` runs under `node --import register.mjs` against the active view.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('an extension importing the contract calls the active view', () => {
  const stdout = execFileSync(
    process.execPath,
    [
      '--import',
      fileURLToPath(new URL('../register.mjs', import.meta.url)),
      fileURLToPath(new URL('./guest/run.mjs', import.meta.url)),
    ],
    { encoding: 'utf8' },
  );
  const out = JSON.parse(stdout);
  assert.match(out.noView, /no test host view is active: call useTestHost/);
  assert.deepEqual(out.names, ['50% off', 'a_b', 'Acme', 'acme', 'zulu', '\u{E000} private', '\u{1F600} smile']);
  assert.equal(out.client, 'Acme');
  assert.equal(out.missing, true);
  assert.equal(out.error.name, 'ComponentError');
  assert.equal(out.error.isError, true);
  assert.equal(out.error.payload.tag, 'invalid-input');
  assert.match(out.error.payload.val, /^client-id .*UUID/);
  assert.deepEqual(out.prices, [
    [
      { currencyCode: 'EUR', rate: 14000 },
      { currencyCode: 'USD', rate: 15000 },
    ],
  ]);
  assert.equal(out.itemsAt01HavePrices, false);
  assert.deepEqual(out.types, []);
  assert.deepEqual(out.otherTenant, ['Other tenant Acme']);
  assert.match(out.cleared, /no test host view is active/);
  assert.match(out.unknownImport, /cannot serve the import "alga:extension\/clients@0\.3\.0"/);
});
