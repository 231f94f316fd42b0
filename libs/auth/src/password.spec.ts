import { hashPassword, verifyPassword, DUMMY_PASSWORD_HASH } from './password';

describe('scrypt password hashing', () => {
  it('stores the parameters, salt and hash, and verifies only the right password', async () => {
    const sut = await hashPassword('correct horse');
    expect(sut).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse', sut)).toBe(true);
    expect(await verifyPassword('correct horse ', sut)).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(sut);
  });

  it('never matches a malformed hash or the dummy hash', async () => {
    for (const stored of ['', 'plain', 'scrypt$1$1$1$aa$bb', 'bcrypt$x$y$z$a$b', 'scrypt$99999999$8$1$AAAA$AAAA', DUMMY_PASSWORD_HASH]) {
      expect(await verifyPassword('anything', stored)).toBe(false);
    }
  });
});
