// A guest as `tsc` compiles one: it imports the contract's functions by their WIT names.
import { listClients, getClient } from 'alga:extension/clients@0.2.0';
import { listServices } from 'alga:extension/services@0.2.0';
import { listServices as listServicesV1 } from 'alga:extension/services@0.1.0';
import * as types from 'alga:extension/types@0.2.0';

export function names() {
  return listClients({ pageSize: 100 }).items.map((c) => c.clientName);
}
export function client(id) {
  return getClient(id);
}
export function pricesAt02() {
  return listServices({ currencyCode: 'eur' }).items.map((s) => s.prices);
}
export function itemsAt01() {
  return listServicesV1({}).items;
}
export function typesExports() {
  return Object.keys(types);
}
export function errorOf(call) {
  try {
    call();
    return undefined;
  } catch (e) {
    return e;
  }
}
