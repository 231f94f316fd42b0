/** Errors of artifact downloads; codes are mapped by the API's exception filter. */
export class FileNotFoundError extends Error {
  readonly code = 'FILE_NOT_FOUND';
  constructor() {
    super('file not found');
    this.name = 'FileNotFoundError';
  }
}

/** A signed URL whose signature does not match, or that expired: 403. */
export class InvalidSignatureError extends Error {
  readonly code = 'INVALID_SIGNATURE';
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidSignatureError';
  }
}
