//! What `import ... from 'alga:extension/types@0.2.0'` (or `@0.1.0`) gives an extension under
//! the test host's register hooks: nothing, since the interface declares only types.

export {};
