const { timeFactor } = require('./test/support/time-factor.js');

// One time factor for the whole run, computed once from the machine's load (or
// DAG_TEST_TIME_FACTOR) and handed to the test workers through the environment, so every file
// scales its hook/test timeouts and wait deadlines by the same number (test/support/time.ts).
process.env.DAG_TEST_TIME_FACTOR = String(timeFactor());

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // The console's pages are hono/jsx components.
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic', importSource: 'hono/jsx' } }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // Workflow tests share one Temporal dev server started in globalSetup; files still run in
  // parallel workers, each with its own task queue.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Explicit hook/test timeouts are scaled by the same factor (test/support/scale-timeouts.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/scale-timeouts.ts'],
  testTimeout: Math.round(120000 * Number(process.env.DAG_TEST_TIME_FACTOR)),
  maxWorkers: 2,
};
