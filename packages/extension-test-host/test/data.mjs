//! The fixture the package's tests share: two tenants with the same client id, an install
//! per capability set, internal and portal users with and without permissions, clients whose
//! names test ordering and folding, and a priced catalog.

export const T1 = '10000000-0000-4000-8000-000000000001';
export const T2 = '20000000-0000-4000-8000-000000000002';
export const BOTH = 'a0000000-0000-4000-8000-00000000000b'; // cap:client.read + cap:service.read
export const CLIENTS_ONLY = 'a0000000-0000-4000-8000-00000000000c';
export const NONE = 'a0000000-0000-4000-8000-00000000000d';
export const SPELT = 'a0000000-0000-4000-8000-00000000000e'; // " CAP:Client.Read "
export const T2_INSTALL = 'b0000000-0000-4000-8000-0000000000b2';

export const STAFF = 'c0000000-0000-4000-8000-000000000001'; // internal, client:read + service:read
export const STAFF_NO_PERMISSION = 'c0000000-0000-4000-8000-000000000002';
export const STAFF_INACTIVE = 'c0000000-0000-4000-8000-000000000003';
export const PORTAL = 'c0000000-0000-4000-8000-000000000004'; // client of ACME, client:read (portal flag)
export const PORTAL_NO_CLIENT = 'c0000000-0000-4000-8000-000000000005';
export const PORTAL_MSP_ONLY = 'c0000000-0000-4000-8000-000000000006'; // role's permission has msp only

export const ACME = 'd0000000-0000-4000-8000-00000000000a';
export const ACME_LOWER = 'd0000000-0000-4000-8000-00000000000b';
export const ZULU = 'd0000000-0000-4000-8000-00000000000c';
export const EMOJI = 'd0000000-0000-4000-8000-00000000000d';
export const PRIVATE_USE = 'd0000000-0000-4000-8000-00000000000e';
export const INACTIVE = 'd0000000-0000-4000-8000-00000000000f';
export const PERCENT = 'd0000000-0000-4000-8000-000000000010';
export const UNDERSCORE = 'd0000000-0000-4000-8000-000000000011';

export const CONSULTING = 'e0000000-0000-4000-8000-000000000001';
export const LAPTOP = 'e0000000-0000-4000-8000-000000000002';
export const BACKUP = 'e0000000-0000-4000-8000-000000000003';
export const MANAGED = 'f0000000-0000-4000-8000-000000000001'; // service type

const READ_CLIENT = '90000000-0000-4000-8000-000000000001';
const READ_SERVICE = '90000000-0000-4000-8000-000000000002';
const READ_CLIENT_MSP_ONLY = '90000000-0000-4000-8000-000000000003';
const STAFF_ROLE = '80000000-0000-4000-8000-000000000001';
const PORTAL_ROLE = '80000000-0000-4000-8000-000000000002';
const MSP_ONLY_ROLE = '80000000-0000-4000-8000-000000000003';

const client = (clientId, clientName, more = {}) => ({ clientId, clientName, defaultCurrencyCode: 'USD', ...more });
const user = (userId, userType, more = {}) => ({
  userId,
  firstName: 'F',
  lastName: 'L',
  email: 'e@x',
  userType,
  ...more,
});

/** A fresh copy of the shared fixture. */
export function fixture() {
  return {
    tenants: [
      {
        tenantId: T1,
        tenantName: 'one',
        permissions: [
          { permissionId: READ_CLIENT, resource: 'client', action: 'read', msp: true, client: true },
          { permissionId: READ_SERVICE, resource: 'service', action: 'read', msp: true, client: true },
          { permissionId: READ_CLIENT_MSP_ONLY, resource: 'client', action: 'read', msp: true, client: false },
        ],
        roles: [
          { roleId: STAFF_ROLE, roleName: 'staff', permissionIds: [READ_CLIENT, READ_SERVICE] },
          { roleId: PORTAL_ROLE, roleName: 'portal', permissionIds: [READ_CLIENT] },
          { roleId: MSP_ONLY_ROLE, roleName: 'msp only', permissionIds: [READ_CLIENT_MSP_ONLY] },
        ],
        users: [
          user(STAFF, 'internal', { firstName: ' Ada ', lastName: 'Lovelace\t', roleIds: [STAFF_ROLE] }),
          user(STAFF_NO_PERMISSION, 'internal', { firstName: ' ', lastName: '\u00a0' }),
          user(STAFF_INACTIVE, 'internal', { isInactive: true, roleIds: [STAFF_ROLE] }),
          user(PORTAL, 'client', { clientId: ACME, roleIds: [PORTAL_ROLE] }),
          user(PORTAL_NO_CLIENT, 'client', { roleIds: [PORTAL_ROLE] }),
          user(PORTAL_MSP_ONLY, 'client', { clientId: ACME, roleIds: [MSP_ONLY_ROLE] }),
        ],
        clients: [
          client(ZULU, 'zulu', { billingEmail: 'billing@zulu.example' }),
          client(ACME, 'Acme', {
            clientType: 'company',
            accountManagerId: STAFF,
            tags: ['vip', 'b', '\u{1F600}', 'vip', '\u{E000}', 'A'],
          }),
          client(ACME_LOWER, 'acme', { accountManagerId: STAFF_NO_PERMISSION }),
          client(EMOJI, '\u{1F600} smile'),
          client(PRIVATE_USE, '\u{E000} private'),
          client(INACTIVE, 'Idle', { isInactive: true, clientType: 'individual' }),
          client(PERCENT, '50% off'),
          client(UNDERSCORE, 'a_b'),
        ],
        serviceTypes: [{ serviceTypeId: MANAGED, name: 'Managed' }],
        services: [
          {
            serviceId: CONSULTING,
            serviceName: 'Consulting',
            description: 'Hours of an engineer',
            itemKind: 'service',
            billingMethod: 'hourly',
            serviceTypeId: MANAGED,
            defaultRateCents: 15000,
            unitOfMeasure: 'hour',
            isActive: true,
            sku: 'CONS-1',
            prices: [
              { currencyCode: 'USD', rateMinorUnits: 15000 },
              { currencyCode: 'EUR', rateMinorUnits: 14000 },
            ],
          },
          {
            serviceId: LAPTOP,
            serviceName: 'laptop',
            itemKind: 'product',
            billingMethod: 'fixed',
            defaultRateCents: 9007199254740991,
            unitOfMeasure: 'each',
            isActive: false,
          },
          {
            serviceId: BACKUP,
            serviceName: 'Backup',
            itemKind: 'service',
            billingMethod: 'usage',
            defaultRateCents: -5,
            unitOfMeasure: 'GB',
            isActive: true,
            prices: [{ currencyCode: 'JPY', rateMinorUnits: 3 }],
          },
        ],
        installs: [
          { installId: BOTH, grantedCapabilities: ['cap:client.read', 'cap:service.read'] },
          { installId: CLIENTS_ONLY, grantedCapabilities: ['cap:client.read', 'cap:client.*', 'cap:clients.read'] },
          { installId: NONE, grantedCapabilities: ['cap:service.*', 'cap:client. read'] },
          { installId: SPELT, grantedCapabilities: [' CAP:Client.Read\u0085'] },
        ],
      },
      {
        tenantId: T2,
        clients: [client(ACME, 'Other tenant Acme')],
        installs: [{ installId: T2_INSTALL, grantedCapabilities: ['cap:client.read'] }],
      },
    ],
  };
}
