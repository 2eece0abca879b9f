//! Module resolution hooks (Node's `module.register`): `alga:extension/clients@0.2.x`,
//! `services@0.2.x`, `types@0.2.x` and the same at `0.1.x` resolve to the modules in
//! `imports/`, which call the active view of the test host. Any other `alga:extension/`
//! specifier is refused with an error naming it; every other specifier is left to Node.

const CONTRACT = /^alga:extension\/([a-z-]+)@(\d+)\.(\d+)\.(\d+)$/;
const TRACKS = { 0.1: '0.1.0', 0.2: '0.2.0' };
const INTERFACES = ['clients', 'services', 'types'];

export async function resolve(specifier, context, nextResolve) {
  if (!specifier.startsWith('alga:extension/')) return nextResolve(specifier, context);
  const match = CONTRACT.exec(specifier);
  const version = match && TRACKS[`${match[2]}.${match[3]}`];
  if (!match || !version || !INTERFACES.includes(match[1])) {
    const error = new Error(
      `@alga-psa/extension-test-host cannot serve the import ${JSON.stringify(specifier)}: it serves ` +
        'alga:extension/clients, services and types at @0.1.x and @0.2.x',
    );
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  const file = match[1] === 'types' ? 'types.mjs' : `${match[1]}-${version}.mjs`;
  return { url: new URL(`./imports/${file}`, import.meta.url).href, shortCircuit: true };
}
