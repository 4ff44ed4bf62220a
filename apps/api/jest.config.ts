// openid-client 6 and its dependencies (oauth4webapi, jose) ship only ES modules; Jest runs
// CommonJS, so ts-jest transpiles those three packages too (the bundle's Node 20.20 requires
// them natively).
const ESM_PACKAGES = 'openid-client|oauth4webapi|jose';

export default {
  displayName: 'api',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    [`/node_modules/(${ESM_PACKAGES})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES})/)`],
  // Integration specs boot a real hub on SQLite and PostgreSQL; argon2 hashing is deliberately slow.
  testTimeout: 60000,
};
