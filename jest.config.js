/**
 * Two projects: `unit` (pure code and single servers, no shared services) and `integration`
 * (the real Functions Framework server, the Pub/Sub emulator). The integration project's
 * global setup builds dist/ and starts the emulator once per run — and only when at least
 * one integration test is selected, so `npx jest test/unit` stays instant.
 */
const transform = { '^.+\\.ts$': ['@swc/jest'] };

/** @type {import('jest').Config} */
module.exports = {
  // Two cores: more workers than that only adds contention with the servers under test.
  maxWorkers: 2,
  // Integration tests start servers and child processes; unit tests finish far below this.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/test/integration/'],
      transform,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
};
