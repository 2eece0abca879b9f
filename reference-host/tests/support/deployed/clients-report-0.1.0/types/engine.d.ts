// Globals of the JavaScript engine componentize-js embeds (StarlingMonkey) that this
// extension uses and that the `es2022` library does not declare. Hand-written: these are
// web platform APIs, not WIT shapes.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
