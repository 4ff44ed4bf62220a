import { test as base } from '@playwright/test';
import { Hub } from './hub';

// One hub per worker (and the config runs one worker), shared by every test in the run.
export const test = base.extend<object, { hub: Hub }>({
  hub: [
    // Playwright reads a fixture's dependencies from this destructuring; this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const hub = await Hub.launch();
      try {
        await use(hub);
      } finally {
        await hub.dispose();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ hub }, use) => {
    await use(hub.url);
  },
});

export { expect } from '@playwright/test';
