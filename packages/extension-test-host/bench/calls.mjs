// Benchmark of the test host: how long one contract call takes, for tenants of 100 and 10 000
// clients and services (list with a search, list a page, get by id), and how long reading a
// fixture takes. Prints one line per measurement; README.md records the numbers.
//
//   node bench/calls.mjs
import { createTestHost } from '../index.mjs';

const id = (kind, n) => `${kind}0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const TENANT = id('a', 1);
const INSTALL = id('b', 1);

function fixture(size) {
  const clients = [];
  const services = [];
  for (let n = 0; n < size; n++) {
    clients.push({
      clientId: id('c', n),
      clientName: `Client ${n % 97} ${n}`,
      defaultCurrencyCode: 'USD',
      billingEmail: `billing${n}@example.com`,
      tags: ['b', 'a'],
    });
    services.push({
      serviceId: id('d', n),
      serviceName: `Service ${n}`,
      itemKind: 'service',
      billingMethod: 'hourly',
      defaultRateCents: n,
      unitOfMeasure: 'hour',
      isActive: true,
      prices: [{ currencyCode: 'EUR', rateMinorUnits: n }],
    });
  }
  return {
    tenants: [
      {
        tenantId: TENANT,
        clients,
        services,
        installs: [{ installId: INSTALL, grantedCapabilities: ['cap:client.read', 'cap:service.read'] }],
      },
    ],
  };
}

function measure(label, iterations, fn) {
  fn(); // warm up
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const micros = Number(process.hrtime.bigint() - started) / 1000 / iterations;
  console.log(`${label.padEnd(48)} ${micros.toFixed(1).padStart(10)} µs per call`);
}

for (const size of [100, 10000]) {
  const data = fixture(size);
  const iterations = size === 100 ? 2000 : 50;
  measure(`${size} records: createTestHost`, size === 100 ? 200 : 5, () => createTestHost(data));
  const view = createTestHost(data).as({ tenantId: TENANT, installId: INSTALL });
  measure(`${size} records: listClients page 1 of 25`, iterations, () => view.clients.listClients({}));
  measure(`${size} records: listClients search "ent 5"`, iterations, () =>
    view.clients.listClients({ search: 'ent 5' }),
  );
  measure(`${size} records: listServices currency EUR`, iterations, () =>
    view.services.listServices({ currencyCode: 'eur' }),
  );
  measure(`${size} records: getClient`, iterations * 10, () => view.clients.getClient(id('c', 7)));
}
