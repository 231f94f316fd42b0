import { ToInt } from '@taskyard/config';
import { TasksConfig } from '@taskyard/tasks';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

export class ApiConfig extends TasksConfig {
  @ToInt() @IsInt() @Min(0) @Max(65535)
  API_PORT = 3000;

  @IsString()
  API_HOST = '0.0.0.0';

  /** HMAC secret of access tokens and signed file URLs; required in production. */
  @IsOptional() @IsString() @MinLength(16)
  JWT_SECRET?: string;

  @IsString()
  ADMIN_USERNAME = 'admin';

  @IsOptional() @IsString() @MinLength(8)
  ADMIN_PASSWORD?: string;
}

export function checkApiConfig(config: ApiConfig): string[] {
  return config.NODE_ENV === 'production' && !config.JWT_SECRET ? ['JWT_SECRET: required when NODE_ENV=production'] : [];
}
