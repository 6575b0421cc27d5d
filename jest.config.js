/**
 * Jest transpiles TypeScript with ts-jest in isolated-modules mode (no type check here: `npm test`
 * type-checks the whole tree with tsc first). ts-jest and TypeScript are plain JavaScript, so the
 * install needs no platform binary that the registry might not have.
 */
const libs = ['core', 'eventstore', 'readstore', 'sqlite', 'projections', 'identity', 'audit', 'observability', 'http-client', 'discord', 'wins', 'fronting', 'presence', 'imports'];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@herald/core/testing$': '<rootDir>/libs/core/src/testing',
    ...Object.fromEntries(libs.map((l) => [`^@herald/${l}$`, `<rootDir>/libs/${l}/src`])),
  },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  testTimeout: 30000,
};
