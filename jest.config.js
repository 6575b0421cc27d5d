/** Jest runs TypeScript through SWC (no type-check here: `npm test` builds with tsc first). */
const libs = ['core', 'eventstore', 'readstore', 'projections', 'identity', 'audit', 'observability'];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: Object.fromEntries(libs.map((l) => [`^@herald/${l}$`, `<rootDir>/libs/${l}/src`])),
  testTimeout: 30000,
};
