//! What `import ... from 'alga:extension/services@0.2.0'` gives an extension under the test
//! host's register hooks: the functions of the active view at contract 0.2.0.

import { activeView } from '../index.mjs';

/** `list-services` in the active view's context. */
export function listServices(input) {
  return activeView('0.2.0').services.listServices(input);
}

/** `get-service` in the active view's context. */
export function getService(serviceId) {
  return activeView('0.2.0').services.getService(serviceId);
}
