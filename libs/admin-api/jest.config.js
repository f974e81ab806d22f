/** @type {import('jest').Config} */
module.exports = {
  displayName: 'admin-api',
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper: { '^@keyway/flow-types$': '<rootDir>/../flow-types/src/index.ts' },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', require('../../jest.swc.js')] },
};
