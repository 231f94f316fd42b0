// Unit tests sit next to the code (*.spec.ts); integration and end-to-end tests talk to the
// machine's real PostgreSQL and Redis, each file in its own schema and Redis key prefix.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' } }];
const moduleNameMapper = { '^@taskyard/(.*)$': '<rootDir>/libs/$1/src/index.ts' };
// dist/ holds the build's copies of each package.json: not test inputs, and duplicate names to Jest.
const modulePathIgnorePatterns = ['<rootDir>/dist/'];
const common = { rootDir: __dirname, transform: { '^.+\\.tsx?$': swc }, moduleNameMapper, modulePathIgnorePatterns, testEnvironment: 'node' };

module.exports = {
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/src/**/*.spec.ts', '<rootDir>/test/deploy/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.integration-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      slowTestThreshold: 30,
    },
  ],
};
