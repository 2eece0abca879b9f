//! Registers the module hooks of `hooks.mjs` (`node --import
//! @alga-psa/extension-test-host/register`), so that an extension's imports of the contract
//! resolve to the test host's functions (README.md, "useTestHost and the register hooks").

import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
