//! Tests of lib/text.mjs: the places where JavaScript's own string functions differ from
//! SPEC.md section 2.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { characterCount, compareCodePoints, firstControl, fold, isCanonicalUuid, trim, excerpt } from '../lib/text.mjs';

test('trim removes White_Space characters, NEL included, and keeps U+FEFF (unlike String.prototype.trim)', () => {
  assert.equal(trim('\u0085\u00a0\t a b \u3000\u2029'), 'a b');
  assert.equal(trim('\ufeffa\ufeff'), '\ufeffa\ufeff');
  assert.notEqual('\ufeffa'.trim(), trim('\ufeffa'));
  assert.equal(trim('\u001fa'), '\u001fa'); // U+001F is a control character, not White_Space
  assert.equal(trim(' \u200b '), '\u200b'); // ZERO WIDTH SPACE is not White_Space
  assert.equal(trim('   '), '');
});

test('fold changes ASCII capitals only', () => {
  assert.equal(fold('MüLLER Émile \u212a'), 'müller Émile \u212a');
  assert.notEqual(fold('É'), 'É'.toLowerCase());
});

test('strings are ordered by code point, not by UTF-16 code unit', () => {
  // U+1F600 is a surrogate pair (0xD83D ...), which `<` puts before U+E000.
  assert.ok('\u{1F600}' < '\u{E000}');
  assert.ok(compareCodePoints('\u{1F600}', '\u{E000}') > 0);
  assert.ok(compareCodePoints('\u{E000}', '\u{FFFF}') < 0);
  assert.ok(compareCodePoints('a', 'ab') < 0);
  assert.ok(compareCodePoints('B', 'a') < 0);
  assert.equal(compareCodePoints('\u{10000}x', '\u{10000}x'), 0);
  assert.ok(compareCodePoints('\u{10000}', '\u{10001}') < 0);
});

test('lengths are counted in characters', () => {
  assert.equal(characterCount('\u{1F600}'.repeat(3)), 3);
  assert.equal(characterCount('abc'), 3);
});

test('the first control character and its position', () => {
  assert.deepEqual(firstControl('abc\u0000'), { codePoint: 0, position: 4 });
  assert.deepEqual(firstControl('\u{1F600}\u0085'), { codePoint: 0x85, position: 2 });
  assert.equal(firstControl('a\u00a0b'), undefined);
});

test('canonical UUIDs', () => {
  assert.ok(isCanonicalUuid('3F2504E0-4F89-11D3-9A0C-0305E82C3301'));
  assert.ok(isCanonicalUuid('00000000-0000-0000-0000-000000000000'));
  for (const bad of [
    '{3f2504e0-4f89-11d3-9a0c-0305e82c3301}',
    '3f2504e04f8911d39a0c0305e82c3301',
    ' 3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    '3f2504e0-4f89-11d3-9a0c-0305e82c3301\n',
    '3f2504e0-4f89-11d3-9a0c-0305e82c330',
    'urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    '3f2504e0-4f89-11d3-9a0c-0305e82c330g',
  ]) {
    assert.equal(isCanonicalUuid(bad), false, bad);
  }
});

test('an excerpt keeps at most 64 characters', () => {
  assert.equal(excerpt('x'.repeat(64)), 'x'.repeat(64));
  assert.equal(excerpt('\u{1F600}'.repeat(65)), `${'\u{1F600}'.repeat(64)}...`);
});
