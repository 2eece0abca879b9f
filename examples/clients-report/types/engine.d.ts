// Globals of the JavaScript engine componentize-js embeds (StarlingMonkey) that this
// extension uses and that the `es2022` library does not declare. Hand-written: these are
// web platform APIs, not WIT shapes.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

// The engine's console: written to WASI standard output and error in a build with the
// console enabled (`npm run build:console`), dropped in the default build.
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
