// The data and helpers the sample's unit tests share: one tenant with staff, a portal user,
// clients in two currencies and a catalog priced per currency, plus a second tenant; and
// `get(view, path, query)`, which calls the extension's handler as the reference host does.
import { handler } from '../dist/js/extension.js';
import { useTestHost } from '@alga-psa/extension-test-host';

export const TENANT = '7e4a0000-0000-4000-8000-000000000001';
export const OTHER_TENANT = '7e4a0000-0000-4000-8000-000000000002';
export const INSTALL = '1a570000-0000-4000-8000-000000000001'; // both capabilities
export const CLIENTS_ONLY = '1a570000-0000-4000-8000-000000000002';
export const OTHER_INSTALL = '1a570000-0000-4000-8000-000000000003';
export const STAFF = '05e40000-0000-4000-8000-000000000001';
export const PORTAL = '05e40000-0000-4000-8000-000000000002';
export const ACME = 'c11e0000-0000-4000-8000-000000000001'; // USD
export const BETA = 'c11e0000-0000-4000-8000-000000000002'; // EUR
export const GAMMA = 'c11e0000-0000-4000-8000-000000000003'; // inactive, JPY
export const SUPPORT = '5e4f0000-0000-4000-8000-000000000001'; // hourly, USD + EUR
export const BACKUP = '5e4f0000-0000-4000-8000-000000000002'; // usage, EUR only
export const LICENCE = '5e4f0000-0000-4000-8000-000000000003'; // fixed product, no prices

const READ_CLIENT = '9e440000-0000-4000-8000-000000000001';
const READ_SERVICE = '9e440000-0000-4000-8000-000000000002';
const STAFF_ROLE = '401e0000-0000-4000-8000-000000000001';
const PORTAL_ROLE = '401e0000-0000-4000-8000-000000000002';

const service = (serviceId, serviceName, itemKind, billingMethod, prices) => ({
  serviceId,
  serviceName,
  itemKind,
  billingMethod,
  defaultRateCents: 10000,
  unitOfMeasure: billingMethod === 'hourly' ? 'hour' : 'each',
  isActive: true,
  prices,
});

export const fixture = {
  tenants: [
    {
      tenantId: TENANT,
      permissions: [
        { permissionId: READ_CLIENT, resource: 'client', action: 'read', msp: true, client: true },
        { permissionId: READ_SERVICE, resource: 'service', action: 'read', msp: true, client: false },
      ],
      roles: [
        { roleId: STAFF_ROLE, roleName: 'Staff', permissionIds: [READ_CLIENT, READ_SERVICE] },
        { roleId: PORTAL_ROLE, roleName: 'Portal', permissionIds: [READ_CLIENT, READ_SERVICE] },
      ],
      users: [
        {
          userId: STAFF,
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: 'ada@msp.example',
          userType: 'internal',
          roleIds: [STAFF_ROLE],
        },
        {
          userId: PORTAL,
          firstName: 'Bob',
          lastName: 'Client',
          email: 'bob@acme.example',
          userType: 'client',
          clientId: ACME,
          roleIds: [PORTAL_ROLE],
        },
      ],
      clients: [
        { clientId: BETA, clientName: 'beta GmbH', defaultCurrencyCode: 'EUR', billingEmail: 'invoices@beta.example' },
        {
          clientId: ACME,
          clientName: 'Acme',
          clientType: 'company',
          defaultCurrencyCode: 'USD',
          accountManagerId: STAFF,
          tags: ['vip', 'msp'],
        },
        { clientId: GAMMA, clientName: 'Gamma KK', defaultCurrencyCode: 'JPY', isInactive: true },
      ],
      services: [
        service(SUPPORT, 'Support', 'service', 'hourly', [
          { currencyCode: 'USD', rateMinorUnits: 15000 },
          { currencyCode: 'EUR', rateMinorUnits: 14000 },
        ]),
        service(BACKUP, 'Backup', 'service', 'usage', [{ currencyCode: 'EUR', rateMinorUnits: 5 }]),
        service(LICENCE, 'Licence', 'product', 'fixed', []),
      ],
      installs: [
        { installId: INSTALL, grantedCapabilities: ['cap:client.read', 'cap:service.read'] },
        { installId: CLIENTS_ONLY, grantedCapabilities: ['cap:client.read'] },
      ],
    },
    {
      tenantId: OTHER_TENANT,
      clients: [{ clientId: ACME, clientName: 'Acme of another tenant', defaultCurrencyCode: 'USD' }],
      installs: [{ installId: OTHER_INSTALL, grantedCapabilities: ['cap:client.read', 'cap:service.read'] }],
    },
  ],
};

const decoder = new TextDecoder();

/**
 * `GET path?query` answered by the extension in `view`'s execution context: the status, the
 * content type and the parsed JSON body.
 */
export function get(view, path, query = {}) {
  useTestHost(view);
  const response = handler.handle({
    method: 'GET',
    path,
    query: Object.entries(query),
    headers: [],
    body: new Uint8Array(),
  });
  const type = response.headers.find((h) => h.name === 'content-type')?.value;
  return { status: response.status, type, body: JSON.parse(decoder.decode(response.body)) };
}
