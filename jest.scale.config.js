// Scale-out suite (issue 17): the topology on Redis Cluster (and the other engines users scale
// out to), each on private servers the suite starts. Same runner settings as the fault suite:
// serial, alone, after everything else: `npm run test:scale`.
const faults = require('./jest.faults.config.js');

module.exports = {
  ...faults,
  displayName: 'scale',
  testMatch: ['<rootDir>/test/scale/**/*.scale-spec.ts'],
};
