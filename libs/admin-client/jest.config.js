/** @type {import('jest').Config} */
module.exports = {
  displayName: 'admin-client',
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@keyway/admin-api$': '<rootDir>/../admin-api/src/index.ts',
    '^@keyway/flow-types$': '<rootDir>/../flow-types/src/index.ts',
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', require('../../jest.swc.js')] },
};
