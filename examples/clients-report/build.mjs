// Turns the compiled extension (dist/js/extension.js, from `tsc`) into a WebAssembly
// component of the reference host's world `alga:reference-host/extension`, importing only
// the contract `alga:extension/*` (every WASI feature of the JavaScript engine disabled).
// Output: dist/clients-report.wasm, or the path given as the first argument.
import { componentize } from '@bytecodealliance/componentize-js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const output = process.argv[2] ?? here('./dist/clients-report.wasm');
const started = performance.now();
const { component, imports } = await componentize({
  sourcePath: here('./dist/js/extension.js'),
  witPath: here('../../reference-host/wit'),
  worldName: 'extension',
  disableFeatures: ['stdio', 'random', 'clocks', 'http', 'fetch-event'],
});
await mkdir(dirname(output), { recursive: true });
await writeFile(output, component);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`${output}: ${component.length} bytes in ${seconds}s`);
console.log(`imports: ${[...new Set(imports.map(([name]) => name))].join(', ')}`);
