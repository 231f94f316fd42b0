import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { JwtAuthGuard, PermissionsGuard } from './auth.guards';
import { AUTH_OPTIONS, AUTH_REDIS, type AuthModuleOptions } from './auth.options';
import { AuthService } from './auth.service';
import { UsersService } from './users.service';

/**
 * Users, roles, login and the global guards: every route needs a Bearer token unless marked
 * `@Public()`, and `@RequirePermissions(...)` is enforced. Needs a `DataSource` provider.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      controllers: [AuthController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        { provide: AUTH_REDIS, useExisting: options.redis },
        UsersService,
        AuthService,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: PermissionsGuard },
      ],
      exports: [AuthService, UsersService, AUTH_OPTIONS],
    };
  }
}
