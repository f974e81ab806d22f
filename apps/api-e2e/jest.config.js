/**
 * End-to-end suite: boots the built API (dist/) as a child process on PGlite or PostgreSQL
 * (E2E_DATABASE=pglite|postgres) and drives it over HTTP, the token step through openid-client.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: `api-e2e (${process.env.E2E_DATABASE ?? 'pglite'})`,
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps/api-e2e/src'],
  testMatch: ['**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|m?j)s$': ['@swc/jest', require('../../jest.swc.js')] },
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|openid-client|oauth4webapi|oidc-provider|@noble/hashes|@scure/base)/)',
  ],
  moduleNameMapper: {
    '^@keyway/admin-api$': '<rootDir>/libs/admin-api/src/index.ts',
    '^@keyway/e2e-support$': '<rootDir>/libs/e2e-support/src/index.ts',
    '^@keyway/flow-types$': '<rootDir>/libs/flow-types/src/index.ts',
    '^@keyway/webauthn-testing$': '<rootDir>/libs/webauthn-testing/src/index.ts',
  },
  // Each file boots its own server; two cores run them one after another.
  maxWorkers: 1,
  testTimeout: 60000,
};
