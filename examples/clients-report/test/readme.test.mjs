// The unit-testing example of packages/extension-test-host/README.md, run as written against
// this extension, so that the README's snippet cannot rot. The snippet is copied next to
// this file (its imports are relative to a test directory), imported, and removed.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

// The README of the installed package (a copy of this template outside the repository has
// the package too, but not the repository's tree around it).
const readme = readFileSync(new URL('./README.md', import.meta.resolve('@alga-psa/extension-test-host')), 'utf8');
const snippet = /```js\n(\/\/ test\/clients\.test\.mjs\n[\s\S]*?)```/.exec(readme);
if (!snippet)
  throw new Error('the README of @alga-psa/extension-test-host has no ```js block starting "// test/clients.test.mjs"');
const file = new URL('./.readme-snippet.mjs', import.meta.url);
writeFileSync(file, snippet[1]);
try {
  // Its `test(...)` calls join this file's tests.
  await import(file.href);
} finally {
  unlinkSync(file);
}
