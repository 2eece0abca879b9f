//! The test host: the contract's four functions (SPEC.md) over the data of a fixture, for
//! guests of contract 0.2.0 and 0.1.0 (VER-1). It owns the decision order of SPEC section 4
//! (capability, user, input, query), the validation of section 5 with its messages, the
//! listing rules of section 6 (filters, search, order, paging) and the summaries of section
//! 7, and the JavaScript shapes a componentize-js guest sees: options as `undefined`,
//! errors thrown as `ComponentError` carrying the `read-error` as `payload`.
//!
//! Inside, every function works on the contract's values with `null` for an absent option
//! (the protocol's JSON form); `view` turns them into the guest's shapes.

import { readFixture } from './fixture.mjs';
import {
  compareCodePoints,
  characterCount,
  codePointName,
  excerpt,
  firstControl,
  fold,
  isCanonicalUuid,
  trim,
  upperAscii,
  wellFormed,
} from './text.mjs';

/** The contract versions this host serves (SPEC section 11). */
export const VERSIONS = Object.freeze(['0.2.0', '0.1.0']);

/**
 * A `read-error` as a guest receives it: the componentize-js bindings throw an `Error`
 * whose `payload` is the error variant `{ tag, val? }`.
 */
export class ComponentError extends Error {
  constructor(payload) {
    const detail = payload.tag === 'invalid-input' ? `invalid-input: ${payload.val}` : payload.tag;
    super(`${detail} (see error.payload)`);
    this.name = 'ComponentError';
    this.payload = payload;
  }
}

const NOT_ALLOWED = Object.freeze({ tag: 'not-allowed' });
const INTERNAL = Object.freeze({ tag: 'internal' });

/** A contract error on its way out of a function (internal: becomes `err(...)`). */
class ReadError {
  constructor(error) {
    this.error = error;
  }
}
const invalid = (message) => new ReadError({ tag: 'invalid-input', val: message });

const CAPABILITY = { clients: 'cap:client.read', services: 'cap:service.read' };
/** The resource of the permission `R:read` each interface needs of a user (AUTH-1). */
const PERMISSION = { clients: 'client', services: 'service' };

const DEFAULT_PAGE = 1;
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE = 10000;
const MAX_PAGE_SIZE = 100;
const MAX_SEARCH = 200;
const U32_MAX = 0xffffffff;

// ---- The execution context (SPEC section 3 and 4) ----

/**
 * Decides steps 1 and 2 of SPEC section 4 for a call of `iface` (`clients` or `services`)
 * in `context`; returns what the caller may see (`{ tenant, portalClientId }`, with
 * `portalClientId` `undefined` for a caller not restricted by AUTH-4, `null` for a portal
 * user of no client) or throws `not-allowed`.
 */
function authorize(tenants, context, iface) {
  const tenant = tenants.get(fold(context.tenantId));
  // CTX-2: capabilities only from an install of the context's tenant.
  const install = tenant?.installs.get(fold(context.installId));
  const capability = CAPABILITY[iface];
  // CAP-3: a stored name grants when it equals the capability after trimming and folding.
  if (!install || !install.grantedCapabilities.some((name) => fold(trim(name)) === capability)) {
    throw new ReadError(NOT_ALLOWED);
  }
  if (context.user === null) return { tenant, portalClientId: undefined }; // AUTH-3
  const { userId, userType } = context.user;
  const user = tenant.users.get(fold(userId));
  // AUTH-2: the user exists in the tenant, is active, and has the type the context says.
  if (!user || user.isInactive || user.userType !== userType) throw new ReadError(NOT_ALLOWED);
  // AUTH-1: a role of the user has the permission, flagged for the user's type.
  const resource = PERMISSION[iface];
  const holds = user.roleIds.some((roleId) =>
    tenant.roles.get(roleId).permissionIds.some((permissionId) => {
      const p = tenant.permissions.get(permissionId);
      return p.resource === resource && p.action === 'read' && (userType === 'internal' ? p.msp : p.client);
    }),
  );
  if (!holds) throw new ReadError(NOT_ALLOWED);
  // AUTH-4: a portal user sees only their own client (services are not restricted).
  const portalClientId = userType === 'client' && iface === 'clients' ? user.clientId : undefined;
  return { tenant, portalClientId };
}

// ---- Input (SPEC section 5) ----

function checkPaging(input) {
  const page = input.page ?? DEFAULT_PAGE;
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  if (page < 1 || page > MAX_PAGE) throw invalid(`page must be between 1 and ${MAX_PAGE}, got ${page}`);
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw invalid(`page-size must be between 1 and ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  return { page, pageSize };
}

/** VAL-2: the trimmed search, or `null` for no search filter. */
function checkSearch(search) {
  if (search === null) return null;
  const text = trim(search);
  if (text === '') return null;
  const length = characterCount(text);
  if (length > MAX_SEARCH)
    throw invalid(`search must be at most ${MAX_SEARCH} characters after trimming, got ${length}`);
  const control = firstControl(text);
  if (control) {
    throw invalid(
      `search must not contain control characters, found ${codePointName(control.codePoint)} at character ${control.position}`,
    );
  }
  return text;
}

/** VAL-3. */
function checkId(field, value) {
  if (!isCanonicalUuid(value)) {
    throw invalid(
      `${field} must be a UUID in canonical text form (8-4-4-4-12 hex digits), got ${JSON.stringify(excerpt(value))}`,
    );
  }
  return fold(value);
}

/** VAL-5: the currency code, trimmed and upper-cased, or `null` for no currency filter. */
function checkCurrency(code) {
  if (code === null) return null;
  const text = trim(code);
  if (!/^[A-Za-z]{3}$/.test(text)) {
    throw invalid(
      `currency-code must be three ASCII letters (an ISO 4217 code such as EUR) after trimming, got ${JSON.stringify(excerpt(code))}`,
    );
  }
  return upperAscii(text);
}

// ---- Summaries (SPEC section 7) ----

function clientSummary(tenant, c) {
  let managerName = null;
  if (c.accountManagerId !== null) {
    const manager = tenant.users.get(c.accountManagerId);
    const name = trim(`${manager.firstName} ${manager.lastName}`);
    managerName = name === '' ? null : name;
  }
  return {
    clientId: c.clientId,
    clientName: c.clientName,
    clientType: c.clientType,
    isInactive: c.isInactive,
    defaultCurrencyCode: c.defaultCurrencyCode,
    accountManagerId: c.accountManagerId,
    accountManagerName: managerName,
    billingEmail: c.billingEmail,
    tags: [...new Set(c.tags)].sort(compareCodePoints),
  };
}

function serviceSummary(tenant, s, version) {
  const summary = {
    serviceId: s.serviceId,
    serviceName: s.serviceName,
    itemKind: s.itemKind,
    billingMethod: s.billingMethod,
    serviceTypeId: s.serviceTypeId,
    serviceTypeName: s.serviceTypeId === null ? null : tenant.serviceTypes.get(s.serviceTypeId).name,
    defaultRate: s.defaultRateCents,
  };
  if (version !== '0.1.0') {
    // PRICE-1: every stored price, ordered by currency code.
    summary.prices = s.prices
      .map((p) => ({ currencyCode: p.currencyCode, rate: p.rateMinorUnits }))
      .sort((a, b) => compareCodePoints(a.currencyCode, b.currencyCode));
  }
  summary.unitOfMeasure = s.unitOfMeasure;
  summary.isActive = s.isActive;
  summary.sku = s.sku;
  return summary;
}

// ---- Listing (SPEC section 6) ----

/**
 * A tenant's records in the order of PAGE-4 (by `fold(name)` in code-point order, then by
 * id), each with the folds of its searched fields (SRCH-1: absent fields match nothing).
 * The order depends on the data only, so it is computed once per tenant and kept (the data
 * never changes; `load` replaces the tenants).
 */
function ordered(records, name, id, searched) {
  return [...records]
    .map((record) => ({
      record,
      key: fold(record[name]),
      folded: searched.filter((f) => record[f] !== null).map((f) => fold(record[f])),
    }))
    .sort((a, b) => compareCodePoints(a.key, b.key) || compareCodePoints(a.record[id], b.record[id]));
}

const ORDERED = new WeakMap();

function orderedClients(tenant) {
  let cached = ORDERED.get(tenant.clients);
  if (!cached)
    ORDERED.set(
      tenant.clients,
      (cached = ordered(tenant.clients.values(), 'clientName', 'clientId', ['clientName', 'billingEmail'])),
    );
  return cached;
}

function orderedServices(tenant) {
  let cached = ORDERED.get(tenant.services);
  if (!cached) {
    cached = ordered(tenant.services.values(), 'serviceName', 'serviceId', ['serviceName', 'sku', 'description']);
    ORDERED.set(tenant.services, cached);
  }
  return cached;
}

/** PAGE-1, PAGE-2: one page of the ordered, filtered set. */
function page(records, { page, pageSize }, summarise) {
  const start = (page - 1) * pageSize;
  return {
    items: records.slice(start, start + pageSize).map(summarise),
    totalCount: records.length,
    page,
    pageSize,
  };
}

// ---- The functions, on the protocol's values (`null` for an absent option) ----

const FUNCTIONS = {
  clients: {
    'list-clients'(tenants, context, [input]) {
      const { tenant, portalClientId } = authorize(tenants, context, 'clients');
      const paging = checkPaging(input);
      const search = checkSearch(input.search);
      const includeInactive = input.includeInactive ?? false;
      // SRCH-1: `s` substring-matches a field when fold(field) contains fold(s). A
      // well-formed needle can only be found at a character boundary, so searching UTF-16
      // code units is exact; no character of it is special (SRCH-2).
      const needle = search === null ? null : fold(search);
      const searchedId = search !== null && isCanonicalUuid(search) ? needle : null;
      const set = orderedClients(tenant).filter(
        ({ record: c, folded }) =>
          (portalClientId === undefined || c.clientId === portalClientId) &&
          (includeInactive || !c.isInactive) &&
          (needle === null || folded.some((field) => field.includes(needle)) || c.clientId === searchedId),
      );
      return page(set, paging, ({ record: c }) => clientSummary(tenant, c));
    },
    'get-client'(tenants, context, [clientId]) {
      const { tenant, portalClientId } = authorize(tenants, context, 'clients');
      const id = checkId('client-id', clientId);
      if (portalClientId !== undefined && id !== portalClientId) return null;
      const c = tenant.clients.get(id);
      return c ? clientSummary(tenant, c) : null;
    },
  },
  services: {
    'list-services'(tenants, context, [input], version) {
      const { tenant } = authorize(tenants, context, 'services');
      const paging = checkPaging(input);
      const search = checkSearch(input.search);
      // VER-1: a 0.1 input has no currency filter.
      const currency = version === '0.1.0' ? null : checkCurrency(input.currencyCode);
      const needle = search === null ? null : fold(search);
      const set = orderedServices(tenant).filter(
        ({ record: s, folded }) =>
          (input.itemKind === null || s.itemKind === input.itemKind) &&
          (input.isActive === null || s.isActive === input.isActive) &&
          (input.billingMethod === null || s.billingMethod === input.billingMethod) &&
          (currency === null || s.prices.some((p) => p.currencyCode === currency)) &&
          (needle === null || folded.some((field) => field.includes(needle))),
      );
      return page(set, paging, ({ record: s }) => serviceSummary(tenant, s, version));
    },
    'get-service'(tenants, context, [serviceId], version) {
      const { tenant } = authorize(tenants, context, 'services');
      const id = checkId('service-id', serviceId);
      const s = tenant.services.get(id);
      return s ? serviceSummary(tenant, s, version) : null;
    },
  },
};

// ---- Reading arguments as the bindings lower them ----

/** A misuse of an argument that the bindings could not lower (a trap in a component). */
function lowering(message) {
  return new TypeError(message);
}

function optionOf(kind) {
  return (v, at) => (v === undefined || v === null ? null : kind(v, at));
}
function str(v, at) {
  if (typeof v !== 'string') throw lowering(`${at} must be a string, got ${typeof v}`);
  return wellFormed(v);
}
function u32(v, at) {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > U32_MAX) {
    throw lowering(`${at} must be a u32 (an integer from 0 to ${U32_MAX}), got ${String(v)}`);
  }
  return v;
}
function boolean(v, at) {
  if (typeof v !== 'boolean') throw lowering(`${at} must be a boolean, got ${typeof v}`);
  return v;
}
function enumOf(...cases) {
  return (v, at) => {
    if (!cases.includes(v))
      throw lowering(`${at} must be one of ${cases.join(', ')}, got ${JSON.stringify(v) ?? String(v)}`);
    return v;
  };
}
function record(fields) {
  return (v, at) => {
    if (typeof v !== 'object' || v === null)
      throw lowering(`${at} must be an object, got ${v === null ? 'null' : typeof v}`);
    const out = {};
    // Keys the record does not have are ignored, as the bindings read only the record's fields.
    for (const [key, kind] of Object.entries(fields)) out[key] = kind(v[key], `${at}.${key}`);
    return out;
  };
}

const CLIENT_LIST_INPUT = record({
  search: optionOf(str),
  includeInactive: optionOf(boolean),
  page: optionOf(u32),
  pageSize: optionOf(u32),
});
const SERVICE_LIST_INPUT = {
  '0.2.0': record({
    search: optionOf(str),
    itemKind: optionOf(enumOf('service', 'product')),
    isActive: optionOf(boolean),
    billingMethod: optionOf(enumOf('fixed', 'hourly', 'usage')),
    currencyCode: optionOf(str),
    page: optionOf(u32),
    pageSize: optionOf(u32),
  }),
  '0.1.0': record({
    search: optionOf(str),
    itemKind: optionOf(enumOf('service', 'product')),
    isActive: optionOf(boolean),
    billingMethod: optionOf(enumOf('fixed', 'hourly', 'usage')),
    page: optionOf(u32),
    pageSize: optionOf(u32),
  }),
};

/** The parameters of each function, by version: how to read each argument. */
function parameters(fn, version) {
  switch (fn) {
    case 'list-clients':
      return [['input', CLIENT_LIST_INPUT]];
    case 'get-client':
      return [['client-id', str]];
    case 'list-services':
      return [['input', SERVICE_LIST_INPUT[version]]];
    case 'get-service':
      return [['service-id', str]];
  }
}

// ---- Contexts ----

const CONTEXT_KEYS = ['tenantId', 'installId', 'userId', 'userType'];

/** Checks an author's context `{ tenantId, installId, userId?, userType? }`. */
function readAuthorContext(context, tenants) {
  if (typeof context !== 'object' || context === null) {
    throw new TypeError(
      `the context must be an object { tenantId, installId, userId?, userType? }, got ${String(context)}`,
    );
  }
  for (const key of Object.keys(context)) {
    if (!CONTEXT_KEYS.includes(key)) {
      throw new TypeError(
        `the context has an unknown key ${JSON.stringify(key)} (expected: ${CONTEXT_KEYS.join(', ')})`,
      );
    }
  }
  for (const key of ['tenantId', 'installId']) {
    if (typeof context[key] !== 'string')
      throw new TypeError(`the context needs ${key}, a string; got ${String(context[key])}`);
  }
  const { tenantId, installId, userId, userType } = context;
  if (userId === undefined || userId === null) {
    if (userType !== undefined && userType !== null) throw new TypeError('the context has a userType but no userId');
    return { tenantId, installId, user: null };
  }
  if (typeof userId !== 'string') throw new TypeError(`the context's userId must be a string, got ${String(userId)}`);
  if (userType !== undefined && userType !== null && userType !== 'internal' && userType !== 'client') {
    throw new TypeError(`the context's userType must be 'internal' or 'client', got ${JSON.stringify(userType)}`);
  }
  // Without a type, the stored user's: the author tests a user, not a mismatch (AUTH-2).
  const stored = tenants().get(fold(tenantId))?.users.get(fold(userId));
  return { tenantId, installId, user: { userId, userType: userType ?? stored?.userType ?? 'internal' } };
}

/** Checks a protocol context `{ tenantId, installId, user: null | { userId, userType } }`. */
function readProtocolContext(context) {
  if (typeof context !== 'object' || context === null) throw new TypeError('context must be an object');
  const { tenantId, installId, user } = context;
  if (typeof tenantId !== 'string' || typeof installId !== 'string') {
    throw new TypeError('context needs tenantId and installId, strings');
  }
  if (user === undefined || user === null) return { tenantId, installId, user: null };
  if (typeof user.userId !== 'string' || (user.userType !== 'internal' && user.userType !== 'client')) {
    throw new TypeError("context.user needs userId (a string) and userType ('internal' or 'client')");
  }
  return { tenantId, installId, user: { userId: user.userId, userType: user.userType } };
}

// ---- The host ----

/** `null` in a contract value (an absent option) as the bindings give it: `undefined`. */
function toGuest(value) {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(toGuest);
  if (typeof value === 'object') {
    const out = {};
    for (const [key, field] of Object.entries(value)) out[key] = toGuest(field);
    return out;
  }
  return value;
}

function checkVersion(version) {
  if (!VERSIONS.includes(version)) {
    throw new TypeError(`version must be one of ${VERSIONS.join(', ')}, got ${JSON.stringify(version)}`);
  }
  return version;
}

/** An in-memory host of the contract; see README.md. */
export class TestHost {
  #tenants = new Map();
  #down = false;

  /**
   * @param fixture the data (PROTOCOL.md fixture JSON), default no tenant
   * @param options `{ version }`: the contract version of the views `as` returns
   */
  constructor(fixture = { tenants: [] }, options = {}) {
    const { version = '0.2.0', ...rest } = options ?? {};
    const unknown = Object.keys(rest);
    if (unknown.length) throw new TypeError(`unknown option ${JSON.stringify(unknown[0])} (expected: version)`);
    /** The contract version of the views `as` returns. */
    this.version = checkVersion(version);
    this.load(fixture);
  }

  /** Replaces all data with the fixture's; throws a `FixtureError` for a bad fixture. */
  load(fixture) {
    this.#tenants = readFixture(fixture);
  }

  /** Starts (`true`) or ends (`false`) a simulated outage of the store (ERR-1). */
  storeOutage(down) {
    if (typeof down !== 'boolean') throw new TypeError(`storeOutage takes true or false, got ${String(down)}`);
    this.#down = down;
  }

  /**
   * Runs one function on the contract's values (`null` for an absent option) and returns
   * `{ ok: value }` or `{ err: readError }`. `iface` is `clients` or `services`.
   */
  invoke(version, context, iface, fn, args) {
    const impl = FUNCTIONS[iface]?.[fn];
    if (!impl) throw new TypeError(`alga:extension/${iface}@${version} has no function ${fn}`);
    const params = parameters(fn, version);
    // A missing argument is `undefined` and extra ones are ignored, as in any JavaScript call.
    if (!Array.isArray(args)) throw lowering(`the arguments of ${fn} must be an array, got ${String(args)}`);
    const values = params.map(([name, read], i) => read(args[i], name));
    // ERR-1: during an outage every call fails as a call needing the store does.
    if (this.#down) return { err: INTERNAL };
    try {
      return { ok: impl(this.#tenants, context, values, version) };
    } catch (e) {
      if (e instanceof ReadError) return { err: e.error };
      throw e;
    }
  }

  /**
   * One call in the conformance protocol's form (PROTOCOL.md, `call`): `context`
   * `{ tenantId, installId, user }` and `call` `{ interface, function, args }`; answers an
   * outcome `{ class: 'value', value }` or `{ class: 'contract-error', error }`. Throws a
   * `TypeError` for a call this host does not have.
   */
  call(context, call) {
    const match = /^alga:extension\/(clients|services)@(0\.[12]\.0)$/.exec(call?.interface ?? '');
    if (!match)
      throw new TypeError(
        `no interface ${JSON.stringify(call?.interface)} (expected alga:extension/clients or services @0.1.0 or @0.2.0)`,
      );
    const [, iface, version] = match;
    const result = this.invoke(version, readProtocolContext(context), iface, call.function, call.args);
    return 'ok' in result ? { class: 'value', value: result.ok } : { class: 'contract-error', error: result.err };
  }

  /**
   * The functions a guest sees in this execution context, at `version` (default the
   * host's): `{ clients: { listClients, getClient }, services: { listServices, getService } }`.
   */
  as(context, version = this.version) {
    const ctx = readAuthorContext(context, () => this.#tenants);
    return new View(this, ctx, checkVersion(version));
  }
}

/** The functions of one execution context, in the shapes a componentize-js guest sees. */
export class View {
  #host;
  #context;
  constructor(host, context, version) {
    this.#host = host;
    this.#context = context;
    /** The contract version of these functions. */
    this.version = version;
    const fn =
      (iface, name) =>
      (...args) =>
        this.#run(iface, name, args);
    /** `alga:extension/clients`. */
    this.clients = Object.freeze({
      listClients: fn('clients', 'list-clients'),
      getClient: fn('clients', 'get-client'),
    });
    /** `alga:extension/services`. */
    this.services = Object.freeze({
      listServices: fn('services', 'list-services'),
      getService: fn('services', 'get-service'),
    });
    Object.freeze(this);
  }

  /** The host these functions read. */
  get host() {
    return this.#host;
  }

  /** The execution context: `{ tenantId, installId, user: null | { userId, userType } }`. */
  get context() {
    return structuredClone(this.#context);
  }

  /** This view's context at another contract version (both are served at once, VER-1). */
  atVersion(version) {
    return new View(this.#host, this.#context, checkVersion(version));
  }

  #run(iface, name, args) {
    const result = this.#host.invoke(this.version, this.#context, iface, name, args);
    if ('err' in result) throw new ComponentError({ ...result.err });
    return toGuest(result.ok);
  }
}
