export * from './load-config';
export * from './transforms';
export * from './common.config';
export * from './redis-target';
