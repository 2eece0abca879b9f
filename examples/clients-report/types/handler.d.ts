// TypeScript declarations of world `alga:reference-host/extension@0.1.0`, in the shapes of the
// componentize-js bindings. Generated from wit by `alga-contract types`: do not edit.

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
