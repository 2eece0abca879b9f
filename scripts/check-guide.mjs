#!/usr/bin/env node
// Runs docs/extension-authors.md as an extension author would, so the guide cannot rot.
//
//   node scripts/check-guide.mjs [GUIDE.md]
//
// The guide's fenced blocks become one bash session (`set -euo pipefail`), in order, in an
// empty temporary directory:
// - ```sh                 its commands run;
// - ```LANG file=PATH     the block is written to PATH (relative to the session's current
//                         directory at that point), so later commands compile and run it;
// - ```text, ```rust      not run: output and one-time setup, and the Rust guest (no wasm32
//                         Rust target in CI; the guide says so);
// - any other block       an error: a snippet nobody checks could rot.
//
// The session gets ALGA_REPO (this repository) and, first on PATH, target/debug with the
// `alga-reference-host` and `alga-contract` binaries (build them first:
// `cargo build -p alga-reference-host -p alga-extension-contract`). Precompiled components go
// to target/guide-cache, so a second check does not compile the sample again. Exit code: the
// session's (0 when every step passed); 2 for a guide this script cannot read.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const guide = resolve(process.argv[2] ?? join(repo, 'docs/extension-authors.md'));
const NOT_RUN = new Set(['text', 'rust']);

function fail(message) {
  console.error(`check-guide: ${message}`);
  process.exit(2);
}

/** The fenced blocks of `markdown`: `{ lang, attrs, body, line }`. */
function blocks(markdown) {
  const found = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    if (end === lines.length) fail(`${guide}:${i + 1}: a code block that is never closed`);
    const attrs = Object.fromEntries(
      open[2].split(/\s+/).filter(Boolean).map((pair) => {
        const [key, value] = pair.split('=');
        if (value === undefined) fail(`${guide}:${i + 1}: \`${pair}\` is not KEY=VALUE`);
        return [key, value];
      }),
    );
    found.push({ lang: open[1], attrs, body: lines.slice(start, end).join('\n') + '\n', line: i + 1 });
    i = end;
  }
  return found;
}

const session = ['set -euo pipefail'];
const counts = { run: 0, written: 0, skipped: 0 };
for (const block of blocks(readFileSync(guide, 'utf8'))) {
  const where = `${guide.slice(repo.length + 1)}:${block.line}`;
  if (block.attrs.file) {
    const delimiter = 'ALGA_GUIDE_SNIPPET_END';
    if (block.body.includes(delimiter)) fail(`${where}: the block contains ${delimiter}`);
    session.push(
      `echo '==> ${where}: writing ${block.attrs.file}'`,
      `mkdir -p "$(dirname '${block.attrs.file}')"`,
      `cat > '${block.attrs.file}' <<'${delimiter}'\n${block.body}${delimiter}`,
    );
    counts.written++;
  } else if (block.lang === 'sh') {
    session.push(`echo '==> ${where}'`, block.body);
    counts.run++;
  } else if (NOT_RUN.has(block.lang)) {
    counts.skipped++;
  } else {
    fail(`${where}: a \`\`\`${block.lang || '(no language)'} block without file=PATH: nothing checks it`);
  }
}
if (counts.run === 0) fail(`${guide} has no sh block`);

for (const tool of ['alga-reference-host', 'alga-contract']) {
  if (!existsSync(join(repo, 'target/debug', tool))) {
    fail(`target/debug/${tool} is missing: cargo build -p alga-reference-host -p alga-extension-contract`);
  }
}
const work = mkdtempSync(join(tmpdir(), 'alga-guide-'));
console.log(
  `check-guide: ${counts.run} command blocks, ${counts.written} files, ${counts.skipped} blocks not run; in ${work}`,
);
const started = performance.now();
const result = spawnSync('bash', ['-c', session.join('\n')], {
  cwd: work,
  stdio: 'inherit',
  env: {
    ...process.env,
    ALGA_REPO: repo,
    PATH: `${join(repo, 'target/debug')}:${process.env.PATH}`,
    XDG_CACHE_HOME: process.env.ALGA_GUIDE_CACHE ?? join(repo, 'target/guide-cache'),
  },
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (result.status === 0) {
  rmSync(work, { recursive: true, force: true });
  console.log(`check-guide: every step of the guide passed in ${seconds}s`);
} else {
  console.error(`check-guide: a step failed (exit ${result.status}) after ${seconds}s; its directory is kept: ${work}`);
}
process.exit(result.status ?? 1);
