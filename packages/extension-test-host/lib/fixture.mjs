//! Reading a fixture: the data of a test host, in the fixture JSON of the conformance
//! protocol (conformance/PROTOCOL.md, "Fixtures"). This module checks every rule written
//! there (keys, types, defaults, ids, uniqueness, references, prices, no NUL) and turns the
//! fixture into the indexed, per-tenant data the host answers from. A fixture that breaks a
//! rule throws a `FixtureError` naming the tenant, the record and the key.

import { isLowerCanonicalUuid } from './text.mjs';

/** A fixture that breaks a rule of PROTOCOL.md; the message names where. */
export class FixtureError extends TypeError {
  constructor(message) {
    super(message);
    this.name = 'FixtureError';
  }
}

/** The largest rate a fixture may hold in magnitude: 2^53 - 1 (exact in an `f64`). */
const MAX_RATE = Number.MAX_SAFE_INTEGER;

// Field kinds of the schema below: each reads a value (present, not undefined) or throws.
const id = (v, at) => {
  if (typeof v !== 'string' || !isLowerCanonicalUuid(v)) {
    throw new FixtureError(`${at} must be a lower-case UUID in canonical text form, got ${show(v)}`);
  }
  return v;
};
const string = (v, at) => {
  if (typeof v !== 'string') throw new FixtureError(`${at} must be a string, got ${show(v)}`);
  if (v.includes('\0')) throw new FixtureError(`${at} contains NUL (U+0000), which stores cannot hold`);
  if (!v.isWellFormed()) throw new FixtureError(`${at} contains a lone UTF-16 surrogate, which no store can hold`);
  return v;
};
const bool = (v, at) => {
  if (typeof v !== 'boolean') throw new FixtureError(`${at} must be true or false, got ${show(v)}`);
  return v;
};
const rate = (v, at) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > MAX_RATE) {
    throw new FixtureError(
      `${at} must be an integer number of minor units, at most 2^53 - 1 in magnitude, got ${show(v)}`,
    );
  }
  return v;
};
const oneOf =
  (...cases) =>
  (v, at) => {
    if (!cases.includes(v))
      throw new FixtureError(`${at} must be one of ${cases.map(show).join(', ')}, got ${show(v)}`);
    return v;
  };
const nullable = (kind) => (v, at) => (v === null ? null : kind(v, at));
const array = (kind) => (v, at) => {
  if (!Array.isArray(v)) throw new FixtureError(`${at} must be an array, got ${show(v)}`);
  return v.map((item, i) => kind(item, `${at}[${i}]`));
};
const object = (schema) => (v, at) => readObject(schema, v, at);

function show(v) {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Reads an object against a schema `{ key: [kind, default] }`; a schema entry without a
 * default is required. An unknown key is an error, so that a misspelt key is not silently
 * read as its default.
 */
function readObject(schema, v, at) {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new FixtureError(`${at} must be an object, got ${show(v)}`);
  }
  for (const key of Object.keys(v)) {
    if (!Object.hasOwn(schema, key)) {
      throw new FixtureError(`${at} has an unknown key ${show(key)} (expected: ${Object.keys(schema).join(', ')})`);
    }
  }
  const out = {};
  for (const [key, spec] of Object.entries(schema)) {
    const [kind, ...fallback] = spec;
    if (v[key] === undefined) {
      if (fallback.length === 0) throw new FixtureError(`${at} needs the key ${key}`);
      out[key] = structuredClone(fallback[0]);
    } else {
      out[key] = kind(v[key], `${at}.${key}`);
    }
  }
  return out;
}

const PRICE = {
  currencyCode: [
    (v, at) => {
      string(v, at);
      if (!/^[A-Z]{3}$/.test(v)) throw new FixtureError(`${at} must be three upper-case ASCII letters, got ${show(v)}`);
      return v;
    },
  ],
  rateMinorUnits: [rate],
};

const TENANT = {
  tenantId: [id],
  tenantName: [string, ''],
  users: [
    array(
      object({
        userId: [id],
        firstName: [string],
        lastName: [string],
        email: [string],
        userType: [oneOf('internal', 'client')],
        isInactive: [bool, false],
        clientId: [nullable(id), null],
        roleIds: [array(id), []],
      }),
    ),
    [],
  ],
  roles: [array(object({ roleId: [id], roleName: [string], permissionIds: [array(id), []] })), []],
  permissions: [
    array(object({ permissionId: [id], resource: [string], action: [string], msp: [bool], client: [bool] })),
    [],
  ],
  clients: [
    array(
      object({
        clientId: [id],
        clientName: [string],
        clientType: [nullable(oneOf('company', 'individual')), null],
        isInactive: [bool, false],
        defaultCurrencyCode: [string],
        accountManagerId: [nullable(id), null],
        billingEmail: [nullable(string), null],
        tags: [array(string), []],
      }),
    ),
    [],
  ],
  serviceTypes: [array(object({ serviceTypeId: [id], name: [string] })), []],
  services: [
    array(
      object({
        serviceId: [id],
        serviceName: [string],
        description: [nullable(string), null],
        itemKind: [oneOf('service', 'product')],
        billingMethod: [oneOf('fixed', 'hourly', 'usage')],
        serviceTypeId: [nullable(id), null],
        defaultRateCents: [rate],
        unitOfMeasure: [string],
        isActive: [bool],
        sku: [nullable(string), null],
        prices: [array(object(PRICE)), []],
      }),
    ),
    [],
  ],
  installs: [array(object({ installId: [id], grantedCapabilities: [array(string), []] })), []],
};

const FIXTURE = { tenants: [array(object(TENANT))] };

/** A map from each record's id to the record; two records of one kind with one id throw. */
function index(records, key, what, at) {
  const map = new Map();
  for (const record of records) {
    if (map.has(record[key])) throw new FixtureError(`${at}: two ${what}s have the id ${record[key]}`);
    map.set(record[key], record);
  }
  return map;
}

function reference(map, target, from, at) {
  if (!map.has(target)) throw new FixtureError(`${at}: ${from} refers to ${target}, which the tenant does not have`);
}

/**
 * The tenants of a fixture, checked and indexed: a `Map` from tenant id to
 * `{ tenantId, users, roles, permissions, clients, serviceTypes, services, installs }`, each a
 * `Map` from record id to the record with every default filled in. Throws a `FixtureError`.
 */
export function readFixture(fixture) {
  const { tenants } = readObject(FIXTURE, fixture, 'fixture');
  const out = new Map();
  tenants.forEach((tenant, i) => {
    const at = `fixture.tenants[${i}] (tenant ${tenant.tenantId})`;
    if (out.has(tenant.tenantId)) throw new FixtureError(`${at}: the tenant appears twice`);
    const data = {
      tenantId: tenant.tenantId,
      users: index(tenant.users, 'userId', 'user', at),
      roles: index(tenant.roles, 'roleId', 'role', at),
      permissions: index(tenant.permissions, 'permissionId', 'permission', at),
      clients: index(tenant.clients, 'clientId', 'client', at),
      serviceTypes: index(tenant.serviceTypes, 'serviceTypeId', 'service type', at),
      services: index(tenant.services, 'serviceId', 'service', at),
      installs: index(tenant.installs, 'installId', 'install', at),
    };
    const typeNames = new Set();
    for (const type of data.serviceTypes.values()) {
      if (typeNames.has(type.name)) throw new FixtureError(`${at}: two service types are named ${show(type.name)}`);
      typeNames.add(type.name);
    }
    for (const role of data.roles.values()) {
      for (const p of role.permissionIds) reference(data.permissions, p, `role ${role.roleId}`, at);
    }
    for (const user of data.users.values()) {
      for (const r of user.roleIds) reference(data.roles, r, `user ${user.userId}`, at);
      if (user.clientId !== null) reference(data.clients, user.clientId, `user ${user.userId}`, at);
    }
    for (const client of data.clients.values()) {
      if (client.accountManagerId !== null)
        reference(data.users, client.accountManagerId, `client ${client.clientId}`, at);
    }
    for (const service of data.services.values()) {
      if (service.serviceTypeId !== null)
        reference(data.serviceTypes, service.serviceTypeId, `service ${service.serviceId}`, at);
      const currencies = new Set();
      for (const price of service.prices) {
        if (currencies.has(price.currencyCode)) {
          throw new FixtureError(`${at}: service ${service.serviceId} has two prices in ${price.currencyCode}`);
        }
        currencies.add(price.currencyCode);
      }
    }
    out.set(tenant.tenantId, data);
  });
  return out;
}
