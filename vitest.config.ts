import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'docs/**/*.test.ts'],
          allowOnly: false,
        },
      },
      {
        // The dashboard's server and page, in headless Chromium (Debian's package): no Kafka, no InfluxDB.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          allowOnly: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/globalSetup.ts'],
          allowOnly: false,
          testTimeout: 120_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
