// Turns the compiled extension (dist/js/extension.js, from `tsc`) into a WebAssembly
// component of the reference host's world `alga:reference-host/extension`, importing only
// the contract `alga:extension/*` (every WASI feature of the JavaScript engine disabled).
//
//   node build.mjs [OUTPUT] [--source FILE.js] [--wit DIR]
//
// OUTPUT defaults to dist/clients-report.wasm. `--source` and `--wit` build another
// compiled extension against another WIT directory holding world `extension` (the tests
// build the sample as deployed at contract 0.1.0 this way, against its frozen WIT).
import { componentize } from '@bytecodealliance/componentize-js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const options = { source: here('./dist/js/extension.js'), wit: here('../../reference-host/wit') };
let output = here('./dist/clients-report.wasm');
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--source' || args[i] === '--wit') {
    if (args[i + 1] === undefined) throw new Error(`${args[i]} needs a path`);
    options[args[i].slice(2)] = resolve(args[++i]);
  } else if (args[i].startsWith('--')) {
    throw new Error(`unknown option ${args[i]} (expected --source FILE.js, --wit DIR)`);
  } else {
    output = resolve(args[i]);
  }
}
const started = performance.now();
const { component, imports } = await componentize({
  sourcePath: options.source,
  witPath: options.wit,
  worldName: 'extension',
  disableFeatures: ['stdio', 'random', 'clocks', 'http', 'fetch-event'],
});
await mkdir(dirname(output), { recursive: true });
await writeFile(output, component);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`${output}: ${component.length} bytes in ${seconds}s`);
console.log(`imports: ${[...new Set(imports.map(([name]) => name))].join(', ')}`);
