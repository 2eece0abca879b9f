//! What `import ... from 'alga:extension/clients@0.1.0'` gives an extension under the test
//! host's register hooks: the functions of the active view at contract 0.1.0.

import { activeView } from '../index.mjs';

/** `list-clients` in the active view's context. */
export function listClients(input) {
  return activeView('0.1.0').clients.listClients(input);
}

/** `get-client` in the active view's context. */
export function getClient(clientId) {
  return activeView('0.1.0').clients.getClient(clientId);
}
