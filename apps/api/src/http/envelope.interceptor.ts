import { Injectable, StreamableFile, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { Paged } from '@taskyard/auth';

/** Wraps `/api` results in the success envelope (`Paged` in the list envelope). */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (context.getType() !== 'http' || !req.url.startsWith('/api/')) return next.handle();
    return next.handle().pipe(
      map((value: unknown) => {
        if (value instanceof StreamableFile) return value;
        if (value instanceof Paged) {
          return { code: '0', data: value.items, total: value.total, current: value.current, page_size: value.pageSize, trace_id: req.id };
        }
        return { code: '0', data: value ?? null, trace_id: req.id };
      }),
    );
  }
}
