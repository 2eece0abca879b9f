// An extension that writes to its console, built with the sample's toolchain and
// `build.mjs --console` (tests/support/sample.rs, `console_extension`), for the tests of
// what reaches the host (tests/console.rs). Plain JavaScript: nothing to compile first.
//
//   GET /            one line on stdout, one on stderr, answers 200
//   GET /throw       logs, then an exception escapes the handler
//   GET /flood       200 lines of 1,023 characters (past the host's 64 KiB per execution)
//   GET /escape      a line with a terminal escape sequence and a carriage return
const text = (status, body) => ({
  status,
  headers: [{ name: 'content-type', value: 'text/plain' }],
  body: new TextEncoder().encode(body),
});

export const handler = {
  handle(request) {
    console.log(`handling ${request.method} ${request.path}`);
    console.error('a line on stderr');
    switch (request.path) {
      case '/throw':
        throw new Error('the extension failed on purpose');
      case '/flood': {
        const line = 'x'.repeat(1023);
        for (let i = 0; i < 200; i++) console.log(line);
        return text(200, 'flooded');
      }
      case '/escape':
        console.log('\u001b[31mred\rforged');
        return text(200, 'escaped');
      default:
        return text(200, 'ok');
    }
  },
};
