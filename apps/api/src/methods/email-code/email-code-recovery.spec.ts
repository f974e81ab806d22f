import { CODE_TTL_MS, hashCode, MAX_CODE_ATTEMPTS, unguessableCodeHash } from '../../infra/crypto/one-time-code';
import { answerCode, type RecoveryCodeState } from './email-code-recovery';

const NOW = 1_800_000_000_000;
const state = (codeHash: string, attempts = 0, expiresAt = NOW + CODE_TTL_MS): RecoveryCodeState => ({
  pending: { codeHash, expiresAt, attempts },
  address: 'a@example.com',
});

describe('answerCode', () => {
  it('accepts the right code within its lifetime', () => {
    expect(answerCode(state(hashCode('123456')), '123456', true, NOW)).toEqual({ kind: 'valid' });
  });

  it('refuses the right code once it has expired, before counting anything', () => {
    expect(answerCode(state(hashCode('123456'), 0, NOW), '123456', true, NOW)).toEqual({ kind: 'expired' });
    expect(answerCode(state(hashCode('123456'), 0, NOW + 1), '123456', true, NOW + CODE_TTL_MS)).toEqual({
      kind: 'expired',
    });
  });

  it('counts wrong codes down and dies at the limit', () => {
    let current = state(hashCode('123456'));
    for (let remaining = MAX_CODE_ATTEMPTS - 1; remaining >= 1; remaining--) {
      const answer = answerCode(current, '000000', true, NOW);
      expect(answer).toMatchObject({ kind: 'retry', remaining });
      if (answer.kind !== 'retry') throw new Error('unreachable');
      current = answer.state;
    }
    expect(answerCode(current, '000000', true, NOW)).toMatchObject({
      kind: 'dead',
      state: { pending: { attempts: MAX_CODE_ATTEMPTS } },
    });
  });

  it('never accepts a code for a flow without an identity, even one matching the stored hash', () => {
    expect(answerCode(state(hashCode('123456')), '123456', false, NOW)).toMatchObject({
      kind: 'retry',
      remaining: MAX_CODE_ATTEMPTS - 1,
    });
    expect(answerCode(state(unguessableCodeHash()), '123456', false, NOW)).toMatchObject({ kind: 'retry' });
  });
});
