export * from './auth';
export * from './errors';
export * from './metrics';
export * from './permissions';
