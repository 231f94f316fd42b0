import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AuthModule } from '@taskyard/auth';
import { ExamplesApiModule, ExamplesRunnersModule, registerExampleSchedules } from '@taskyard/examples';
import { Db, REDIS_COMMANDS, TaskAttemptsService, TaskQueryService, TasksModule } from '@taskyard/tasks';
import type { ApiConfig } from './api.config';
import { TaskEventsController } from './events/task-events.controller';
import { EventTicketsService } from './events/event-tickets.service';
import { TaskStreamService } from './events/task-stream.service';
import { FilesController } from './files/files.controller';
import { SchedulesController } from './schedules/schedules.controller';
import { SiteController } from './site/site.controller';
import { FilesService } from './files/files.service';
import { HealthController } from './health.controller';
import { OperationsController } from './operations/operations.controller';
import { OperationsService } from './operations/operations.service';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { EnvelopeInterceptor } from './http/envelope.interceptor';
import { createValidationPipe } from './http/validation';
import { TaskSettingsController } from './settings/task-settings.controller';
import { TaskSettingsHttpService } from './settings/task-settings-http.service';
import { TaskAccessService } from './tasks/task-access.service';
import { TasksController } from './tasks/tasks.controller';
import { API_CONFIG } from './tokens';

/** The HTTP API: the task platform, auth, task/file/event/settings routes and the example modules. */
@Module({})
export class ApiModule {
  static forRoot(config: ApiConfig): DynamicModule {
    if (config.EXAMPLES_ENABLED) registerExampleSchedules();
    return {
      module: ApiModule,
      imports: [
        TasksModule.forRoot({ config, role: 'api' }),
        AuthModule.forRoot({
          jwtSecret: config.jwtSecret,
          tokenTtlSeconds: config.JWT_TTL_SECONDS,
          admin: { username: config.ADMIN_USERNAME, password: config.ADMIN_PASSWORD },
          loginLimits: {
            pair: { maxFailures: config.LOGIN_MAX_FAILURES, windowSeconds: config.LOGIN_WINDOW_SECONDS },
            account: { maxFailures: config.LOGIN_ACCOUNT_MAX_FAILURES, windowSeconds: config.LOGIN_ACCOUNT_WINDOW_SECONDS },
            address: { maxFailures: config.LOGIN_ADDRESS_MAX_FAILURES, windowSeconds: config.LOGIN_ADDRESS_WINDOW_SECONDS },
            knownAddressSeconds: config.LOGIN_KNOWN_ADDRESS_DAYS * 86_400,
          },
          userCacheMs: config.AUTH_USER_CACHE_MS,
          redis: REDIS_COMMANDS,
          redisKeyPrefix: config.redisPrefix,
        }),
        // The runners are registered here too so createTask knows each example type's queue.
        ...(config.EXAMPLES_ENABLED ? [ExamplesRunnersModule, ExamplesApiModule] : []),
      ],
      controllers: [HealthController, TasksController, TaskEventsController, FilesController, TaskSettingsController, SchedulesController, OperationsController, SiteController],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: TaskQueryService, useFactory: (db: Db) => new TaskQueryService(db), inject: [Db] },
        { provide: TaskAttemptsService, useFactory: (db: Db) => new TaskAttemptsService(db), inject: [Db] },
        TaskAccessService,
        FilesService,
        EventTicketsService,
        TaskStreamService,
        TaskSettingsHttpService,
        OperationsService,
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
