// TypeScript declarations of world `alga:reference-host/extension@0.1.0`, in the shapes of the
// componentize-js bindings. Generated from wit (the host's world at contract 0.1.0) by `alga-contract types`: do not edit.

/**
 * Records, enums and the error type shared by `clients` and `services`.
 *
 * Conventions that hold for every item below:
 * - Ids are UUIDs in canonical text form, returned lower-case (VAL-3).
 * - "Case-insensitive" means ASCII case-insensitive: only the letters A-Z and a-z are
 *   folded; every other character compares exactly (SPEC.md section 2).
 * - An absent `option` input takes the default named on the field.
 */
declare module 'alga:extension/types@0.1.0' {
  /**
   * Whether a client is a company or a person.
   */
  export type ClientType = 'company' | 'individual';
  /**
   * One client of the tenant, as an extension sees it (DATA-1).
   */
  export interface ClientSummary {
    /**
     * The client's id: a lower-case canonical UUID.
     */
    clientId: string;
    /**
     * The client's name as stored (not trimmed, not case-folded). Unique within a
     * tenant in Alga's data, but hosts must not rely on it: ties are ordered by id.
     */
    clientName: string;
    /**
     * `none` when the record does not say whether the client is a company or a person.
     */
    clientType?: ClientType;
    /**
     * True when the client has been deactivated. Inactive clients are listed only on
     * request (FILT-1) but are always returned by `get-client`.
     */
    isInactive: boolean;
    /**
     * ISO 4217 code of the client's default currency, e.g. `USD`.
     */
    defaultCurrencyCode: string;
    /**
     * Id (lower-case UUID) of the internal user managing the account; `none` when no
     * account manager is assigned.
     */
    accountManagerId?: string;
    /**
     * The account manager's first and last name joined by one space, with leading and
     * trailing white space removed; `none` when there is no manager or the result is
     * empty (DATA-1).
     */
    accountManagerName?: string;
    /**
     * Address for invoices, exactly as stored; `none` when not set.
     */
    billingEmail?: string;
    /**
     * The texts of the tags attached to the client, without duplicates, sorted by
     * Unicode code point (DATA-1). Empty when the client has no tags.
     */
    tags: Array<string>;
  }
  /**
   * Filters and paging for `list-clients`. Every field is optional.
   */
  export interface ClientListInput {
    /**
     * Case-insensitive substring of `client-name` or `billing-email`; a search that is
     * a UUID also matches the client with that id (SRCH-1, SRCH-2). Leading and
     * trailing white space is removed; empty after that means no filter. At most 200
     * characters (Unicode scalar values) after trimming, and no control characters
     * (VAL-2).
     */
    search?: string;
    /**
     * Include inactive clients. Default `false`: only active clients (FILT-1).
     */
    includeInactive?: boolean;
    /**
     * 1-based page number. Default 1; 1 <= page <= 10000 (VAL-1).
     */
    page?: number;
    /**
     * Items per page. Default 25; 1 <= page-size <= 100 (VAL-1).
     */
    pageSize?: number;
  }
  /**
   * One page of clients, ordered by `client-name` case-insensitively, then by
   * `client-id` (PAGE-4).
   */
  export interface ClientPage {
    /**
     * At most `page-size` clients; empty when `page` is past the end (PAGE-2).
     */
    items: Array<ClientSummary>;
    /**
     * Number of clients matching the filters, over all pages (PAGE-1).
     */
    totalCount: number;
    /**
     * The page returned: the input's `page` or its default.
     */
    page: number;
    /**
     * The page size applied: the input's `page-size` or its default.
     */
    pageSize: number;
  }
  /**
   * Whether a catalog item is a service or a product.
   */
  export type ItemKind = 'service' | 'product';
  /**
   * How a catalog item is billed.
   */
  export type BillingMethod = 'fixed' | 'hourly' | 'usage';
  /**
   * One item of the tenant's service catalog (DATA-1).
   */
  export interface ServiceSummary {
    /**
     * The item's id: a lower-case canonical UUID.
     */
    serviceId: string;
    /**
     * The item's name as stored. Names are not unique: ties are ordered by id.
     */
    serviceName: string;
    /**
     * Service or product.
     */
    itemKind: ItemKind;
    /**
     * How the item is billed.
     */
    billingMethod: BillingMethod;
    /**
     * Id (lower-case UUID) of the item's service type; `none` when it has none.
     */
    serviceTypeId?: string;
    /**
     * Name of the item's service type; `none` exactly when `service-type-id` is.
     */
    serviceTypeName?: string;
    /**
     * Default price in minor units of the tenant's currency (cents for USD). Always an
     * integral value: the host stores integer cents. It is an `f64` so that JavaScript
     * extensions receive a plain `number` (an `s64` would become a `BigInt`, which
     * `JSON.stringify` rejects); every stored value is below 2^53 and exact.
     */
    defaultRate: number;
    /**
     * Unit the rate applies to, e.g. `hour`, `each`, `GB`. May be empty.
     */
    unitOfMeasure: string;
    /**
     * False when the item has been retired from the catalog.
     */
    isActive: boolean;
    /**
     * Stock keeping unit; `none` when not set.
     */
    sku?: string;
  }
  /**
   * Filters and paging for `list-services`. Every field is optional; present filters
   * combine with AND (FILT-2).
   */
  export interface ServiceListInput {
    /**
     * Case-insensitive substring of `service-name`, `sku` or the item's description
     * (SRCH-1, SRCH-2). Trimmed, at most 200 characters, no control characters (VAL-2).
     */
    search?: string;
    /**
     * Only items of this kind. Default: both kinds.
     */
    itemKind?: ItemKind;
    /**
     * Only active (`true`) or only retired (`false`) items. Default: both.
     */
    isActive?: boolean;
    /**
     * Only items billed this way. Default: every billing method.
     */
    billingMethod?: BillingMethod;
    /**
     * 1-based page number. Default 1; 1 <= page <= 10000 (VAL-1).
     */
    page?: number;
    /**
     * Items per page. Default 25; 1 <= page-size <= 100 (VAL-1).
     */
    pageSize?: number;
  }
  /**
   * One page of catalog items, ordered by `service-name` case-insensitively, then by
   * `service-id` (PAGE-4).
   */
  export interface ServicePage {
    /**
     * At most `page-size` items; empty when `page` is past the end (PAGE-2).
     */
    items: Array<ServiceSummary>;
    /**
     * Number of items matching the filters, over all pages (PAGE-1).
     */
    totalCount: number;
    /**
     * The page returned: the input's `page` or its default.
     */
    page: number;
    /**
     * The page size applied: the input's `page-size` or its default.
     */
    pageSize: number;
  }
  /**
   * Why a call returned no data. Not finding a record is not an error: `get-*`
   * returns `none` (DATA-3).
   */
  export type ReadError = ReadErrorNotAllowed | ReadErrorInvalidInput | ReadErrorInternal;
  /**
   * The install lacks the capability, or the user in the context lacks the
   * permission (CAP-1, CTX-2, AUTH-1, AUTH-2). Checked before the input (CAP-2).
   */
  export interface ReadErrorNotAllowed { tag: 'not-allowed' }
  /**
   * The input is outside the contract's bounds. The text starts with the name of the
   * offending field and states the bound, e.g.
   * `page-size must be between 1 and 100, got 500` (VAL-1 to VAL-4).
   */
  export interface ReadErrorInvalidInput { tag: 'invalid-input'; val: string }
  /**
   * The host failed (for example its database is unreachable). Carries no detail:
   * host internals never reach the guest. Retrying later may succeed (ERR-1).
   */
  export interface ReadErrorInternal { tag: 'internal' }
}

/**
 * The tenant's clients. Every function needs the install capability
 * `cap:client.read` and, when the context has a user, the permission `client:read`
 * (CAP-1, AUTH-1). A client-portal user sees only their own client (AUTH-4).
 */
declare module 'alga:extension/clients@0.1.0' {
  export type ClientSummary = import('alga:extension/types@0.1.0').ClientSummary;
  export type ClientListInput = import('alga:extension/types@0.1.0').ClientListInput;
  export type ClientPage = import('alga:extension/types@0.1.0').ClientPage;
  export type ReadError = import('alga:extension/types@0.1.0').ReadError;
  /**
   * One page of the tenant's clients matching `input`, ordered by `client-name`
   * case-insensitively, then by `client-id` (PAGE-1 to PAGE-4, FILT-1, SRCH-1, SRCH-2).
   */
  /** @throws an error whose `payload` is the `ReadError` */
  export function listClients(input: ClientListInput): ClientPage;
  /**
   * The client with this id, inactive or not. `client-id` must be a UUID in canonical
   * text form, in any letter case (VAL-3). Returns `none` when the tenant has no such
   * client visible to the caller, including when the id belongs to another tenant
   * (ISO-2, DATA-3).
   */
  /** @throws an error whose `payload` is the `ReadError` */
  export function getClient(clientId: string): ClientSummary | undefined;
}

/**
 * The tenant's service catalog (services and products). Every function needs the
 * install capability `cap:service.read` and, when the context has a user, the
 * permission `service:read` (CAP-1, AUTH-1).
 */
declare module 'alga:extension/services@0.1.0' {
  export type ServiceSummary = import('alga:extension/types@0.1.0').ServiceSummary;
  export type ServiceListInput = import('alga:extension/types@0.1.0').ServiceListInput;
  export type ServicePage = import('alga:extension/types@0.1.0').ServicePage;
  export type ReadError = import('alga:extension/types@0.1.0').ReadError;
  /**
   * One page of catalog items matching `input`, ordered by `service-name`
   * case-insensitively, then by `service-id` (PAGE-1 to PAGE-4, FILT-2, SRCH-1, SRCH-2).
   */
  /** @throws an error whose `payload` is the `ReadError` */
  export function listServices(input: ServiceListInput): ServicePage;
  /**
   * The catalog item with this id, active or not. `service-id` must be a UUID in
   * canonical text form, in any letter case (VAL-3). Returns `none` when the tenant has
   * no such item, including when the id belongs to another tenant (ISO-2, DATA-3).
   */
  /** @throws an error whose `payload` is the `ReadError` */
  export function getService(serviceId: string): ServiceSummary | undefined;
}

/**
 * The entry point the host calls once per execution.
 */
declare module 'alga:reference-host/handler@0.1.0' {
  /**
   * One header line. Names are lower-case; a name may occur more than once.
   */
  export interface Header {
    /**
     * The header name, lower-case, e.g. `content-type`.
     */
    name: string;
    /**
     * The header value, as sent.
     */
    value: string;
  }
  /**
   * A request, as the host received it (from `run`, or a `serve` execution request).
   */
  export interface Request {
    /**
     * The method, upper-case: `GET`, `POST`, ...
     */
    method: string;
    /**
     * The path, percent-decoded, always starting with `/`; it never contains the query,
     * e.g. `/clients/3f2504e0-4f89-11d3-9a0c-0305e82c3301`.
     */
    path: string;
    /**
     * The query parameters in the order given, percent-decoded (`+` is a space), e.g.
     * `search=acme&page=2` is `[("search", "acme"), ("page", "2")]`. A parameter
     * without `=` has an empty value.
     */
    query: Array<[string, string]>;
    /**
     * The request headers.
     */
    headers: Array<Header>;
    /**
     * The request body; empty for a request without one.
     */
    body: Uint8Array;
  }
  /**
   * The extension's answer.
   */
  export interface Response {
    /**
     * The HTTP status code, 100 to 599.
     */
    status: number;
    /**
     * Response headers, e.g. `content-type: application/json`.
     */
    headers: Array<Header>;
    /**
     * The response body.
     */
    body: Uint8Array;
  }
  /** What the component implements for this export: export it as `handler`. */
  export interface Implementation {
    /**
     * Handles one request. The execution context (tenant, install, user) is fixed by the
     * host before this is called and applies to every contract call made while it runs.
     */
    handle(request: Request): Response;
  }
}
