//! `@alga-psa/extension-test-host`: an in-memory host of the `alga:extension` contract for
//! unit tests of JavaScript extensions (README.md). This module is the package's entry: it
//! creates hosts, and holds the active view that the modules behind the extension's imports
//! (`alga:extension/clients@0.2.0`, ..., resolved by `register.mjs`) call.

import { TestHost, View, ComponentError, VERSIONS } from './lib/host.mjs';
import { FixtureError } from './lib/fixture.mjs';

export { TestHost, View, ComponentError, FixtureError, VERSIONS };

/**
 * A host over `fixture` (the conformance protocol's fixture JSON); `options.version` is the
 * contract version of the views `as` returns, `'0.2.0'` (default) or `'0.1.0'`.
 */
export function createTestHost(fixture, options) {
  return new TestHost(fixture, options);
}

// The active view lives on `globalThis` under a registered symbol, so that two copies of
// this module (a package reached through two paths) still share it.
const ACTIVE = Symbol.for('@alga-psa/extension-test-host/active-view');

/**
 * Makes `view` (from `host.as(...)`) the execution context of the extension's imported
 * functions; `null` clears it. Returns the view.
 */
export function useTestHost(view) {
  if (view !== null && !(view instanceof View)) {
    throw new TypeError('useTestHost takes a view from host.as({ tenantId, installId, ... }), or null');
  }
  globalThis[ACTIVE] = view;
  return view;
}

/** The active view at `version` (what an imported function calls); throws when none is set. */
export function activeView(version) {
  const view = globalThis[ACTIVE];
  if (!view) {
    throw new Error(
      'the extension called a contract function, but no test host view is active: call useTestHost(host.as({ tenantId, installId })) first',
    );
  }
  return view.version === version ? view : view.atVersion(version);
}
