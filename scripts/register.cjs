// Runs the TypeScript sources directly (SWC, with decorator metadata for Nest DI and the
// tsconfig path aliases), so `npm start` and the tests need no separate build step.
process.env.SWC_NODE_PROJECT ??= require('node:path').join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
