import { createCjsPreset } from 'jest-preset-angular/presets';

// The workspace preset (../../jest.preset.js) is ts-jest on node; components need
// jest-preset-angular's transformer and a DOM, so this project starts from that preset instead.
export default {
  displayName: 'web',
  ...createCjsPreset({ testEnvironment: 'jsdom' }),
  rootDir: '.',
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // The one workspace lib the browser app may use.
  moduleNameMapper: { '^@tyto/contracts$': '<rootDir>/../../libs/contracts/src/index.ts' },
};
