#!/usr/bin/env node
//! The conformance testee adapter of the test host (conformance/PROTOCOL.md, protocol 1):
//! reads one JSON request per line on standard input, answers one JSON response per line on
//! standard output, in order, so that
//! `alga-conformance run --testee 'node packages/extension-test-host/testee.mjs'` runs the
//! whole suite against the test host. Logs go to standard error only.
//!
//! `load-probe` is answered without instantiating the probe: this host has no wasm, and the
//! probe only forwards each call unchanged to the host's function, which `call` runs directly.

import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { TestHost, VERSIONS } from './lib/host.mjs';
import { FixtureError } from './lib/fixture.mjs';

const PACKAGE = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** An error response of the testee itself (not an outcome): `unsupported`, `rejected` or `failed`. */
class TesteeError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

let host = new TestHost();

/** One call as an outcome; a misuse of the test host is a host failure, never a crash. */
function outcome(context, call) {
  try {
    return host.call(context, call);
  } catch (e) {
    return { class: 'host-failure', message: `${e.name}: ${e.message}` };
  }
}

function handle(request) {
  switch (request.op) {
    case 'describe':
      return {
        name: 'extension-test-host (JavaScript, in memory)',
        version: PACKAGE.version,
        protocolVersion: 1,
        contractVersions: [...VERSIONS],
        storeOutage: true,
      };
    case 'load-probe':
      if (typeof request.path !== 'string') throw new TesteeError('rejected', 'load-probe needs path, a string');
      return null;
    case 'load-fixture':
      try {
        host.load(request.fixture);
      } catch (e) {
        if (e instanceof FixtureError) throw new TesteeError('rejected', e.message);
        throw e;
      }
      return null;
    case 'call':
      return outcome(request.context, request.call);
    case 'call-batch':
      // One at a time: each call is a fresh execution and reads data that does not change,
      // so running them in turn gives each the outcome it gets alone.
      if (!Array.isArray(request.calls)) throw new TesteeError('rejected', 'call-batch needs calls, an array');
      return request.calls.map((c) => outcome(c?.context, c?.call));
    case 'store-outage':
      if (typeof request.down !== 'boolean') throw new TesteeError('rejected', 'store-outage needs down, a boolean');
      host.storeOutage(request.down);
      return null;
    case 'reset':
      host = new TestHost();
      return null;
    case 'shutdown':
      return null;
    default:
      throw new TesteeError('rejected', `unknown op ${JSON.stringify(request.op)}`);
  }
}

function respond(response) {
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    respond({ id: 0, error: { kind: 'rejected', message: `not a JSON request: ${e.message}` } });
    continue;
  }
  if (typeof request !== 'object' || request === null || !Number.isSafeInteger(request.id) || request.id < 0) {
    respond({ id: 0, error: { kind: 'rejected', message: 'a request is an object with an unsigned integer id' } });
    continue;
  }
  try {
    respond({ id: request.id, result: handle(request) });
  } catch (e) {
    const kind = e instanceof TesteeError ? e.kind : 'failed';
    if (kind === 'failed') process.stderr.write(`${e.stack}\n`);
    respond({ id: request.id, error: { kind, message: e.message } });
  }
  if (request.op === 'shutdown') break;
}
process.exitCode = 0;
