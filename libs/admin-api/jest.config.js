/** @type {import('jest').Config} */
module.exports = {
  displayName: 'admin-api',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', require('../../jest.swc.js')] },
};
