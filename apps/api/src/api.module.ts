import { Module, type DynamicModule } from '@nestjs/common';
import { TasksModule } from '@taskyard/tasks';
import type { ApiConfig } from './api.config';
import { HealthController } from './health.controller';

@Module({})
export class ApiModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [TasksModule.forRoot({ config, role: 'api' })],
      controllers: [HealthController],
    };
  }
}
