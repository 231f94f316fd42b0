import { HttpException } from '@nestjs/common';

/** An HTTP-layer rejection (pipes, parsing) with its envelope code, e.g. `E4002`. */
export class ApiHttpError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
  ) {
    super(message, status);
  }
}
