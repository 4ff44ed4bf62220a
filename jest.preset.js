// Shared Jest settings: ts-jest transpiles file by file (isolatedModules in tsconfig.base.json) keeps
// test start-up fast on two cores; `tsc --noEmit` in the lint step does the type checking.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@tyto/contracts$': '<rootDir>/../../libs/contracts/src/index.ts',
    '^@tyto/collector$': '<rootDir>/../../libs/collector/src/index.ts',
    '^@tyto/pki$': '<rootDir>/../../libs/pki/src/index.ts',
    '^@tyto/logs$': '<rootDir>/../../libs/logs/src/index.ts',
  },
};
