export * from './examples.module';
export * from './csv';
export * from './user-export/user-export.types';
export * from './user-export/user-export.runner';
export * from './user-export/user-export.controller';
export * from './example-report/example-report.types';
export * from './example-report/example-report.runner';
export * from './example-report/example-report.controller';
