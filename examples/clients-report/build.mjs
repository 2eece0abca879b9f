// Turns the compiled extension (dist/js/extension.js, from `tsc`) into a WebAssembly
// component of the reference host's world `alga:reference-host/extension`, importing only
// the contract `alga:extension/*`: every WASI feature of the JavaScript engine is disabled,
// so `console.log` output and the message of an uncaught exception go nowhere.
//
// `--console` (`npm run build:console`) keeps the engine's standard output and error: the
// component then also imports a few `wasi:io`, `wasi:cli`, `wasi:clocks/wall-clock` and
// `wasi:filesystem` interfaces, and `console.log`, `console.error` and uncaught exceptions
// reach the host. The reference host provides them (`run` prints what the extension wrote
// on stderr after `console> `; `serve` logs it); a host that provides only the contract
// refuses such a component, so deploy the default build.
//
// The WIT is this project's own `wit/` (the host's world and, in wit/deps/alga-extension,
// the contract), written by `alga-reference-host wit -o wit`, so the build needs nothing
// outside this directory.
//
//   node build.mjs [OUTPUT] [--source FILE.js] [--wit DIR] [--console]
//
// OUTPUT defaults to dist/clients-report.wasm. `--source` and `--wit` build another
// compiled extension against another WIT directory holding world `extension` (the tests
// build the sample as deployed at contract 0.1.0 this way, against its frozen WIT).
import { componentize } from '@bytecodealliance/componentize-js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const options = { source: here('./dist/js/extension.js'), wit: here('./wit') };
let output = here('./dist/clients-report.wasm');
const args = process.argv.slice(2);
let consoleEnabled = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--console') {
    consoleEnabled = true;
  } else if (args[i] === '--source' || args[i] === '--wit') {
    if (args[i + 1] === undefined) throw new Error(`${args[i]} needs a path`);
    options[args[i].slice(2)] = resolve(args[++i]);
  } else if (args[i].startsWith('--')) {
    throw new Error(`unknown option ${args[i]} (expected --source FILE.js, --wit DIR, --console)`);
  } else {
    output = resolve(args[i]);
  }
}
const started = performance.now();
const { component, imports } = await componentize({
  sourcePath: options.source,
  witPath: options.wit,
  worldName: 'extension',
  disableFeatures: [...(consoleEnabled ? [] : ['stdio']), 'random', 'clocks', 'http', 'fetch-event'],
});
await mkdir(dirname(output), { recursive: true });
await writeFile(output, component);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`${output}: ${component.length} bytes in ${seconds}s`);
console.log(`imports: ${[...new Set(imports.map(([name]) => name))].join(', ')}`);
