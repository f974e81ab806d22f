/** @type {import('jest').Config} */
module.exports = {
  displayName: 'api',
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps/api/src', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(t|m?j)s$': ['@swc/jest', require('../../jest.swc.js')] },
  // ESM-only dependencies (jose, openid-client, oidc-provider as the upstream provider of federation tests; otplib's
  // @noble/@scure, which Node itself loads through require(esm)) are compiled to CommonJS like our own code: Jest on
  // Node 20 cannot require ESM.
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|openid-client|oauth4webapi|oidc-provider|@noble/hashes|@scure/base)/)',
  ],
  moduleNameMapper: {
    '^@keyway/admin-api$': '<rootDir>/libs/admin-api/src/index.ts',
    '^@keyway/e2e-support$': '<rootDir>/libs/e2e-support/src/index.ts',
    '^@keyway/flow-types$': '<rootDir>/libs/flow-types/src/index.ts',
    '^@keyway/webauthn-testing$': '<rootDir>/libs/webauthn-testing/src/index.ts',
    // The generated Prisma client imports its siblings as ./x.js (for Node); Jest resolves the .ts.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30000,
};
