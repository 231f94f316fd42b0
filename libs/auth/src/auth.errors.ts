/**
 * Domain errors of the auth lib, each with a stable code the API's exception filter maps to
 * an HTTP status (401, 403, 409, 429).
 */
export abstract class AuthDomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No valid credentials (missing, expired or forged token): 401. */
export class UnauthenticatedError extends AuthDomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** Wrong username or password: 401. */
export class InvalidCredentialsError extends AuthDomainError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('invalid username or password');
  }
}

/** Authenticated, but not allowed to do this: 403. */
export class ForbiddenError extends AuthDomainError {
  readonly code = 'FORBIDDEN';
}

/** Too many failed logins: 429. */
export class TooManyAttemptsError extends AuthDomainError {
  readonly code = 'RATE_LIMITED';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed login attempts; try again in ${retryAfterSeconds} s`);
  }
}

export class UsernameTakenError extends AuthDomainError {
  readonly code = 'USERNAME_TAKEN';
  constructor(username: string) {
    super(`username already exists: ${username}`);
  }
}

export class UnknownRoleError extends AuthDomainError {
  readonly code = 'UNKNOWN_ROLE';
  constructor(roleIds: string[]) {
    super(`unknown role: ${roleIds.join(', ')}`);
  }
}
