import { NotFoundException } from '@nestjs/common';
import { ForbiddenError, TooManyAttemptsError, UnauthenticatedError } from '@taskyard/auth';
import { DependencyUnavailableError, InvalidTaskOptionsError, InvalidTransitionError, ScheduleDisabledError, ScheduleNotFoundError, TaskNotFoundError } from '@taskyard/tasks';
import { ApiHttpError } from './api-http.error';
import { mapError } from './error-mapping';

describe('mapError', () => {
  it('maps domain errors by code to status and an envelope code starting with the status', () => {
    const cases: [unknown, number, string][] = [
      [new TaskNotFoundError('x'), 404, 'E4040'],
      [new InvalidTransitionError('x', 'cancel', 'success'), 409, 'E4090'],
      [new InvalidTaskOptionsError('bad'), 400, 'E4003'],
      [new DependencyUnavailableError('postgres'), 503, 'E5030'],
      [new UnauthenticatedError('no'), 401, 'E4010'],
      [new ForbiddenError('no'), 403, 'E4030'],
      [new TooManyAttemptsError(10), 429, 'E4290'],
      [new ScheduleNotFoundError('s'), 404, 'E4041'],
      [new ScheduleDisabledError('s'), 409, 'E4091'],
      [new ApiHttpError(400, 'E4002', 'id must be a uuid'), 400, 'E4002'],
      [new NotFoundException(), 404, 'E4040'],
      [Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), 413, 'E4130'],
    ];
    for (const [err, status, code] of cases) {
      const sut = mapError(err);
      expect({ status: sut.status, code: sut.code }).toEqual({ status, code });
      expect(sut.code.slice(1, 4)).toBe(String(status));
    }
  });

  it('answers 503 for transient PostgreSQL and Redis connection failures, 500 without detail otherwise', () => {
    expect(mapError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).status).toBe(503);
    expect(mapError(Object.assign(new Error('terminating connection'), { code: '57P01' })).status).toBe(503);
    expect(mapError(new Error("Stream isn't writeable and enableOfflineQueue options is false")).status).toBe(503);
    expect(mapError(new Error('secret internals'))).toEqual({ status: 500, code: 'E5000', message: 'internal server error' });
  });
});
