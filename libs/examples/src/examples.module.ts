import { Module } from '@nestjs/common';
import { ExampleReportController } from './example-report/example-report.controller';
import { ExampleReportRunner } from './example-report/example-report.runner';
import { UserExportController } from './user-export/user-export.controller';
import { UserExportRunner } from './user-export/user-export.runner';

/**
 * The example runners. Import it in the worker (which runs them) and in the API (so
 * `createTask` knows each type's queue). Needs the global `TasksModule`.
 */
@Module({ providers: [UserExportRunner, ExampleReportRunner] })
export class ExamplesRunnersModule {}

/** The example endpoints that start those tasks (API process only). */
@Module({ controllers: [UserExportController, ExampleReportController] })
export class ExamplesApiModule {}
