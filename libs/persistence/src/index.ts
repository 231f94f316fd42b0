export * from './entities';
export { MIGRATIONS } from './migrations';
export * from './data-source.factory';
