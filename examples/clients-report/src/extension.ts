// clients-report: a sample Alga extension. It answers HTTP-like requests from the reference
// host with JSON read through the `alga:extension` contract:
//
//   GET /                  what this extension serves
//   GET /clients           list-clients   (?search= &includeInactive= &page= &pageSize=)
//   GET /clients/:id       get-client     (404 when there is no such client)
//   GET /services          list-services  (?search= &itemKind= &isActive= &billingMethod= &currencyCode=
//                                          &page= &pageSize=); every item carries its prices
//   GET /services/:id      get-service    (404 when there is no such item)
//   GET /quote             get-client + get-service (?clientId= &serviceId=): the item's price in
//                          the client's default currency (409 when it has none in that currency)
//   GET /report            counts: active and inactive clients, catalog items per billing method
//
// Contract errors become HTTP statuses: not-allowed 403, invalid-input 400 (with the host's
// message), internal 502. A query parameter this extension cannot parse is its own 400.

import { listClients, getClient } from 'alga:extension/clients@0.2.0';
import { listServices, getService } from 'alga:extension/services@0.2.0';
import type {
  BillingMethod,
  ClientListInput,
  ItemKind,
  ReadError,
  ServiceListInput,
} from 'alga:extension/types@0.2.0';
import type { Implementation, Request, Response } from 'alga:reference-host/handler@0.1.0';

const ITEM_KINDS: readonly ItemKind[] = ['service', 'product'];
const BILLING_METHODS: readonly BillingMethod[] = ['fixed', 'hourly', 'usage'];
const U32_MAX = 4294967295;

const encoder = new TextEncoder();

/** A request this extension refuses itself, with the status and message to answer. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.error));
  }
}

function json(status: number, value: unknown): Response {
  return {
    status,
    headers: [{ name: 'content-type', value: 'application/json' }],
    body: encoder.encode(JSON.stringify(value)),
  };
}

/** The contract error a call threw (the bindings throw an error carrying it as `payload`). */
function readErrorOf(thrown: unknown): ReadError | undefined {
  if (typeof thrown === 'object' && thrown !== null && 'payload' in thrown) {
    const payload = (thrown as { payload: unknown }).payload;
    if (typeof payload === 'object' && payload !== null && 'tag' in payload) {
      return payload as ReadError;
    }
  }
  return undefined;
}

/** Runs a contract call, turning its error into the HTTP answer for it. */
function contract<T>(call: () => T): T {
  try {
    return call();
  } catch (thrown) {
    const error = readErrorOf(thrown);
    switch (error?.tag) {
      case 'not-allowed':
        throw new HttpError(403, { error: 'not-allowed', message: 'this install or user may not read this' });
      case 'invalid-input':
        throw new HttpError(400, { error: 'invalid-input', message: error.val });
      case 'internal':
        throw new HttpError(502, { error: 'internal', message: 'the host failed; try again later' });
      default:
        throw thrown;
    }
  }
}

class Query {
  private readonly values = new Map<string, string>();

  constructor(pairs: Array<[string, string]>) {
    for (const [name, value] of pairs) {
      if (this.values.has(name)) {
        throw new HttpError(400, { error: 'bad-query', message: `${name} is given more than once` });
      }
      this.values.set(name, value);
    }
  }

  /** Refuses parameters this route does not know, so that a typo is not silently ignored. */
  only(...known: string[]): this {
    for (const name of this.values.keys()) {
      if (!known.includes(name)) {
        const expected = known.length ? known.join(', ') : 'none';
        throw new HttpError(400, {
          error: 'bad-query',
          message: `unknown query parameter ${name} (expected: ${expected})`,
        });
      }
    }
    return this;
  }

  text(name: string): string | undefined {
    return this.values.get(name);
  }

  /** A whole number; the contract checks the bounds of page and pageSize itself. */
  count(name: string): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    if (!/^[0-9]{1,10}$/.test(raw) || Number(raw) > U32_MAX) {
      throw new HttpError(400, { error: 'bad-query', message: `${name} must be a whole number, got "${raw}"` });
    }
    return Number(raw);
  }

  flag(name: string): boolean | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') {
      throw new HttpError(400, { error: 'bad-query', message: `${name} must be true or false, got "${raw}"` });
    }
    return raw === 'true';
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new HttpError(400, {
        error: 'bad-query',
        message: `${name} must be one of ${allowed.join(', ')}, got "${raw}"`,
      });
    }
    return raw as T;
  }
}

function clients(query: Query): Response {
  query.only('search', 'includeInactive', 'page', 'pageSize');
  const input: ClientListInput = {
    search: query.text('search'),
    includeInactive: query.flag('includeInactive'),
    page: query.count('page'),
    pageSize: query.count('pageSize'),
  };
  return json(200, contract(() => listClients(input)));
}

function client(id: string, query: Query): Response {
  query.only();
  const found = contract(() => getClient(id));
  return found ? json(200, found) : json(404, { error: 'not-found', message: `no client ${id}` });
}

function services(query: Query): Response {
  query.only('search', 'itemKind', 'isActive', 'billingMethod', 'currencyCode', 'page', 'pageSize');
  const input: ServiceListInput = {
    search: query.text('search'),
    itemKind: query.oneOf('itemKind', ITEM_KINDS),
    isActive: query.flag('isActive'),
    billingMethod: query.oneOf('billingMethod', BILLING_METHODS),
    // The host checks the code (three letters, any case) and names it in its error.
    currencyCode: query.text('currencyCode'),
    page: query.count('page'),
    pageSize: query.count('pageSize'),
  };
  return json(200, contract(() => listServices(input)));
}

function service(id: string, query: Query): Response {
  query.only();
  const found = contract(() => getService(id));
  return found ? json(200, found) : json(404, { error: 'not-found', message: `no catalog item ${id}` });
}

/**
 * The price of a catalog item in a client's currency: what an extension that quotes or
 * invoices needs. `prices` holds one entry per currency the item is priced in; `defaultRate`
 * is the catalog's currency-less rate and is not a substitute for a missing price.
 */
function quote(query: Query): Response {
  query.only('clientId', 'serviceId');
  const clientId = query.text('clientId');
  const serviceId = query.text('serviceId');
  if (clientId === undefined || serviceId === undefined) {
    throw new HttpError(400, { error: 'bad-query', message: 'quote needs clientId and serviceId' });
  }
  const client = contract(() => getClient(clientId));
  if (!client) return json(404, { error: 'not-found', message: `no client ${clientId}` });
  const item = contract(() => getService(serviceId));
  if (!item) return json(404, { error: 'not-found', message: `no catalog item ${serviceId}` });
  const currencyCode = client.defaultCurrencyCode;
  const price = item.prices.find((p) => p.currencyCode === currencyCode);
  if (!price) {
    return json(409, {
      error: 'no-price',
      message: `${item.serviceName} has no price in ${currencyCode}`,
      pricedIn: item.prices.map((p) => p.currencyCode),
    });
  }
  return json(200, {
    clientId: client.clientId,
    serviceId: item.serviceId,
    serviceName: item.serviceName,
    currencyCode,
    rate: price.rate,
    unitOfMeasure: item.unitOfMeasure,
  });
}

/** Several contract calls in one execution: the host resolves the caller once for all. */
function report(query: Query): Response {
  query.only();
  const active = contract(() => listClients({ pageSize: 1 })).totalCount;
  const all = contract(() => listClients({ includeInactive: true, pageSize: 1 })).totalCount;
  const servicesByBillingMethod: Record<string, number> = {};
  for (const billingMethod of BILLING_METHODS) {
    servicesByBillingMethod[billingMethod] = contract(() => listServices({ billingMethod, pageSize: 1 })).totalCount;
  }
  return json(200, {
    clients: { active, inactive: all - active },
    servicesByBillingMethod,
  });
}

function index(query: Query): Response {
  query.only();
  return json(200, {
    extension: 'clients-report',
    routes: ['GET /clients', 'GET /clients/:id', 'GET /services', 'GET /services/:id', 'GET /quote', 'GET /report'],
  });
}

function route(request: Request): Response {
  const query = new Query(request.query);
  const segments = request.path.split('/').filter((segment) => segment.length > 0);
  const known =
    segments.length <= 2 &&
    (segments.length === 0 ||
      segments[0] === 'clients' ||
      segments[0] === 'services' ||
      (segments[0] === 'quote' && segments.length === 1) ||
      (segments[0] === 'report' && segments.length === 1));
  if (!known) {
    // Logged for the author: reaches the host only in a build with the console enabled
    // (`npm run build:console`), and the test output under node.
    console.warn(`no route for ${request.method} ${request.path}`);
    return json(404, { error: 'not-found', message: `no route for ${request.path}` });
  }
  if (request.method !== 'GET') {
    return json(405, { error: 'method-not-allowed', message: `${request.path} answers GET only` });
  }
  const [resource, id] = segments;
  switch (resource) {
    case undefined:
      return index(query);
    case 'report':
      return report(query);
    case 'quote':
      return quote(query);
    case 'clients':
      return id === undefined ? clients(query) : client(id, query);
    default:
      return id === undefined ? services(query) : service(id, query);
  }
}

export const handler: Implementation = {
  handle(request: Request): Response {
    try {
      return route(request);
    } catch (thrown) {
      if (thrown instanceof HttpError) {
        return json(thrown.status, thrown.body);
      }
      // A bug of this extension: answer 500 with what went wrong rather than trapping,
      // and log the stack for the author (see the 404 above for where it goes).
      console.error(thrown instanceof Error && thrown.stack ? `${thrown}\n${thrown.stack}` : String(thrown));
      return json(500, { error: 'extension-failure', message: String(thrown) });
    }
  },
};
