/**
 * Tests are transpiled one file at a time (ts-jest with isolatedModules from tsconfig.json: no
 * type-checking per file, which took ~40 s for a file importing aws-cdk-lib); `npm test`
 * type-checks the whole project once with `tsc --noEmit` first.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/setup-env.js'],
  testTimeout: 30000,
};
