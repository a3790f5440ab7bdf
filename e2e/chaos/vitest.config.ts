import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The long chaos run, kept out of the default `npm test`: `npm run test:chaos`.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../', import.meta.url)),
    include: ['e2e/chaos/**/*.test.ts'],
    globalSetup: ['libs/testing/src/global-setup.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
