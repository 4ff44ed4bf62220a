export default {
  displayName: 'api',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Integration specs boot a real hub on SQLite and PostgreSQL; argon2 hashing is deliberately slow.
  testTimeout: 60000,
};
