/**
 * The console's end-to-end suite: boots the built API (dist/, on PGlite or PostgreSQL: E2E_DATABASE) and the
 * built console (`next start` on apps/console/.next) as real processes and drives the console in headless
 * Chromium through playwright-core.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: `console-e2e (${process.env.E2E_DATABASE ?? 'pglite'})`,
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps/console-e2e/src'],
  testMatch: ['**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|m?j)s$': ['@swc/jest', require('../../jest.swc.js')] },
  // otplib's base32 (@scure/base) and its hashes ship as ES modules only; so does jose (e2e-support's upstream provider).
  transformIgnorePatterns: ['/node_modules/(?!(jose|oidc-provider|@noble/hashes|@scure/base)/)'],
  moduleNameMapper: {
    '^@keyway/e2e-support$': '<rootDir>/libs/e2e-support/src/index.ts',
  },
  maxWorkers: 1,
  testTimeout: 60000,
};
