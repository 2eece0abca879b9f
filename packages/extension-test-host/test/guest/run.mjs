// Run under `node --import ../../register.mjs`: drives test/guest/extension.mjs through the
// register hooks and prints what it saw as one JSON line (register.test.mjs judges it).
import { createTestHost, useTestHost } from '../../index.mjs';
import * as d from '../data.mjs';
import * as guest from './extension.mjs';

const out = {};
out.noView = guest.errorOf(() => guest.names())?.message;
const host = createTestHost(d.fixture());
useTestHost(host.as({ tenantId: d.T1, installId: d.BOTH }));
out.names = guest.names();
out.client = guest.client(d.ACME.toUpperCase())?.clientName;
out.missing = guest.client('00000000-0000-0000-0000-000000000000') === undefined;
const error = guest.errorOf(() => guest.client('nope'));
out.error = { name: error.name, isError: error instanceof Error, payload: error.payload };
out.prices = guest.pricesAt02();
out.itemsAt01HavePrices = guest.itemsAt01().some((item) => 'prices' in item);
out.types = guest.typesExports();
// Switching views between calls: the next call reads the new one.
useTestHost(host.as({ tenantId: d.T2, installId: d.T2_INSTALL }));
out.otherTenant = guest.names();
useTestHost(null);
out.cleared = guest.errorOf(() => guest.names())?.message;
try {
  await import('alga:extension/clients@0.3.0');
} catch (e) {
  out.unknownImport = e.message;
}
console.log(JSON.stringify(out));
