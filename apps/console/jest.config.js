/**
 * The console's unit tests (`src/**\/*.spec.ts`): the server-side pieces that guard sessions and requests, and
 * the pages' pure helpers.
 * `server-only` resolves as it does on the server (its react-server export, an empty module).
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: 'console',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.(t|m?j)s$': ['@swc/jest', require('../../jest.swc.js')] },
  moduleNameMapper: {
    '^server-only$': 'next/dist/compiled/server-only/empty.js',
    '^@keyway/admin-api$': '<rootDir>/../../libs/admin-api/src/index.ts',
    '^@keyway/admin-client$': '<rootDir>/../../libs/admin-client/src/index.ts',
    '^@keyway/flow-types$': '<rootDir>/../../libs/flow-types/src/index.ts',
  },
};
