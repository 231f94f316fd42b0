export * from './task-status';
export * from './names';
export * from './task.dto';
export * from './permissions';
export * from './operations.dto';
