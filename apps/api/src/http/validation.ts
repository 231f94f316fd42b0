import { ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiHttpError } from './api-http.error';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(path) ? m : `${path}: ${m}`));
    return [...own, ...describe(e.children ?? [], path)];
  });
}

/** Unknown fields are rejected (never silently dropped): 400 `E4001` listing every problem. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ApiHttpError(400, 'E4001', describe(errors).join('; ') || 'invalid request'),
  });
}

/** A path id that is not a uuid is a malformed request: 400 `E4002` (not a 404). */
export const UuidParam = new ParseUUIDPipe({ exceptionFactory: () => new ApiHttpError(400, 'E4002', 'id must be a uuid') });
