// Fault-injection suite (issue 9): a whole topology (api, 3 workers, 2 schedulers) on a private
// PostgreSQL cluster and a private redis-server, faults injected one at a time. Runs alone and
// serially, after every other suite: `npm run test:faults`.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' } }];
const moduleNameMapper = { '^@taskyard/(.*)$': '<rootDir>/libs/$1/src/index.ts' };

module.exports = {
  rootDir: __dirname,
  transform: { '^.+\\.tsx?$': swc },
  moduleNameMapper,
  // dist/ holds the build's copies of each package.json (duplicate names to Jest).
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testEnvironment: 'node',
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
  maxWorkers: 1,
  testTimeout: 180_000,
  slowTestThreshold: 60,
};
