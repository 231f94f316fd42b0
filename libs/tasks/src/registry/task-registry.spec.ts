import { InvalidTaskOptionsError } from '../errors';
import { TaskRegistry } from './task-registry';

describe('TaskRegistry options of the operator features', () => {
  const run = async () => null;

  it('keeps timeoutMs and rateLimit of a registration', () => {
    const sut = new TaskRegistry();
    sut.registerFuncTaskType('limited', run, { timeoutMs: 5_000, rateLimit: { max: 3, intervalMs: 1_000 } });
    expect(sut.get('limited')).toMatchObject({ timeoutMs: 5_000, rateLimit: { max: 3, intervalMs: 1_000 } });
    sut.registerFuncTaskType('plain', run);
    expect(sut.get('plain')).toMatchObject({ timeoutMs: undefined, rateLimit: undefined });
  });

  it.each([0, -1, 1.5, 2 ** 31])('refuses timeoutMs %p at registration', (timeoutMs) => {
    expect(() => new TaskRegistry().registerFuncTaskType('t', run, { timeoutMs })).toThrow(InvalidTaskOptionsError);
  });

  it.each([
    { max: 0, intervalMs: 1_000 },
    { max: 2.5, intervalMs: 1_000 },
    { max: 1, intervalMs: 0 },
    { max: 1, intervalMs: 86_400_001 },
  ])('refuses rate limit %p at registration', (rateLimit) => {
    expect(() => new TaskRegistry().registerFuncTaskType('t', run, { rateLimit })).toThrow(/rate limit of t/);
  });
});
