//! The text definitions of SPEC.md section 2, in JavaScript: trimming by the Unicode
//! `White_Space` property, ASCII-only folding, code-point order, control characters, the
//! canonical UUID form, ASCII upper-casing (currency codes), and how many characters (scalar
//! values) a string has. JavaScript's own `trim`, `toLowerCase` and `<` differ from every one
//! of these (see each function), which is why this module exists.

/**
 * The characters with the Unicode `White_Space` property (what Rust's `str::trim` removes).
 * JavaScript's `String.prototype.trim` differs: it also removes U+FEFF (not `White_Space`)
 * and keeps U+0085 NEXT LINE (which is).
 */
const WHITE_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** Whether the character with this code point has the Unicode `White_Space` property. */
export function isWhiteSpace(codePoint) {
  return WHITE_SPACE.has(codePoint);
}

/**
 * `s` without leading and trailing `White_Space` characters (SPEC section 2, Trim). Every
 * `White_Space` character is in the Basic Multilingual Plane, so looking at UTF-16 code
 * units is exact.
 */
export function trim(s) {
  let start = 0;
  let end = s.length;
  while (start < end && WHITE_SPACE.has(s.charCodeAt(start))) start++;
  while (end > start && WHITE_SPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/**
 * `fold(s)`: each ASCII capital `A`-`Z` replaced by its small letter, every other character
 * unchanged (SPEC section 2). `toLowerCase` would also fold `É`, `İ` and the Kelvin sign.
 */
export function fold(s) {
  return s.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

/** `s` with its ASCII small letters `a`-`z` made capitals, nothing else changed. */
export function upperAscii(s) {
  return s.replace(/[a-z]+/g, (run) => run.toUpperCase());
}

/**
 * The code unit `u` moved so that comparing moved units orders well-formed UTF-16 strings
 * by code point: surrogates (U+D800-U+DFFF, which encode U+10000 and above) must sort
 * after U+E000-U+FFFF, while plain `<` puts them before.
 */
function codePointRank(u) {
  if (u >= 0xe000) return u - 0x800;
  if (u >= 0xd800) return u + 0x2000;
  return u;
}

/**
 * Compares two strings by code point (equivalently by their UTF-8 bytes; a proper prefix
 * first), as SPEC section 2 orders strings: negative, zero or positive. JavaScript's `<`
 * and `localeCompare` compare UTF-16 code units or use a locale, and both differ.
 */
export function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** The number of characters (Unicode scalar values) of a well-formed string. */
export function characterCount(s) {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** Whether a code point is a control character (general category `Cc`, SPEC section 2). */
export function isControl(codePoint) {
  return codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f);
}

/**
 * The first control character of `s`: `{ codePoint, position }` with the 1-based position
 * in characters, or `undefined`. Every control character is in the Basic Multilingual Plane.
 */
export function firstControl(s) {
  let position = 0;
  for (const character of s) {
    position++;
    const codePoint = character.codePointAt(0);
    if (isControl(codePoint)) return { codePoint, position };
  }
  return undefined;
}

const CANONICAL_UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const LOWER_CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `s` is a UUID in canonical text form, in any letter case (SPEC section 2). */
export function isCanonicalUuid(s) {
  return CANONICAL_UUID.test(s);
}

/** Whether `s` is a UUID in canonical text form in lower case (a fixture's ids). */
export function isLowerCanonicalUuid(s) {
  return LOWER_CANONICAL_UUID.test(s);
}

/** A code point as SPEC writes one: `U+0000`, `U+1F600`. */
export function codePointName(codePoint) {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * At most the first `limit` characters of `s` (VAL-4: a message never repeats more than 64
 * characters of the input), marked with `...` when cut.
 */
export function excerpt(s, limit = 64) {
  let out = '';
  let count = 0;
  for (const character of s) {
    if (count === limit) return `${out}...`;
    out += character;
    count++;
  }
  return out;
}

/**
 * A JavaScript string as the bindings pass it to a host: a lone surrogate (which UTF-8, and
 * so a component's string, cannot hold) becomes U+FFFD, as `TextEncoder` makes it.
 */
export function wellFormed(s) {
  return s.toWellFormed();
}
