// Declarations of @alga-psa/extension-test-host (README.md). The contract's shapes are not
// repeated here: they come from the declarations of the contract's WIT that the extension
// itself compiles against (`@alga-psa/extension-types`, or a `wit.d.ts` generated the same
// way), which declare the modules `alga:extension/clients@0.2.0`, ... .

/** A contract version this host serves. */
export type ContractVersion = '0.2.0' | '0.1.0';

/** The contract versions this host serves. */
export const VERSIONS: readonly ContractVersion[];

/** The data of a host: the conformance protocol's fixture JSON (conformance/PROTOCOL.md). */
export interface Fixture {
  tenants: Array<Record<string, unknown> & { tenantId: string }>;
}

/** An author's execution context. Without `userId` the execution has no user (AUTH-3). */
export interface Context {
  tenantId: string;
  installId: string;
  userId?: string;
  /** Default: the stored type of the user with `userId`. */
  userType?: 'internal' | 'client';
}

/** A `read-error` as the bindings throw it: `payload` is `{ tag, val? }`. */
export class ComponentError extends Error {
  payload: import('alga:extension/types@0.2.0').ReadError;
}

/** A fixture that breaks a rule of PROTOCOL.md. */
export class FixtureError extends TypeError {}

/** The functions of one execution context, in the shapes a componentize-js guest sees. */
export class View {
  readonly version: ContractVersion;
  readonly host: TestHost;
  readonly context: {
    tenantId: string;
    installId: string;
    user: null | { userId: string; userType: 'internal' | 'client' };
  };
  readonly clients: Pick<typeof import('alga:extension/clients@0.2.0'), 'listClients' | 'getClient'>;
  readonly services: Pick<typeof import('alga:extension/services@0.2.0'), 'listServices' | 'getService'>;
  /** This view's context at another contract version (0.1.0 summaries have no `prices`). */
  atVersion(version: ContractVersion): View;
}

/** An outcome of the conformance protocol. */
export type Outcome =
  | { class: 'value'; value: unknown }
  | { class: 'contract-error'; error: { tag: string; val?: string } };

/** An in-memory host of the contract. */
export class TestHost {
  constructor(fixture?: Fixture, options?: { version?: ContractVersion });
  /** The contract version of the views `as` returns. */
  readonly version: ContractVersion;
  /** The functions an extension sees in this context. */
  as(context: Context, version?: ContractVersion): View;
  /** Replaces all data. */
  load(fixture: Fixture): void;
  /** `true`: every call fails with `internal` until `storeOutage(false)`. */
  storeOutage(down: boolean): void;
  /** One call in the conformance protocol's JSON form. */
  call(
    context: { tenantId: string; installId: string; user: null | { userId: string; userType: 'internal' | 'client' } },
    call: { interface: string; function: string; args: unknown[] },
  ): Outcome;
}

/** A host over `fixture`; `options.version` defaults to `'0.2.0'`. */
export function createTestHost(fixture?: Fixture, options?: { version?: ContractVersion }): TestHost;

/** Makes `view` the context of the extension's imported functions (`null` clears it). */
export function useTestHost<V extends View | null>(view: V): V;

/** The active view at `version`; throws when none is active. */
export function activeView(version: ContractVersion): View;
