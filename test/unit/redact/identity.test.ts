import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IDENTITY_HASH_PREFIX, checkIdentityOptions, createIdentityPolicy, hashIdentity } from '../../../src/redact/index.js';

const SALT = 'fake-salt-for-tests-0123456789';

describe('identity controls', () => {
  it('keeps by default values, leaving absent and empty values absent', () => {
    const policy = createIdentityPolicy({ email: 'keep', accountId: 'keep' });
    expect(policy.email('dev@example.com')).toBe('dev@example.com');
    expect(policy.accountId(undefined)).toBeUndefined();
    expect(policy.accountId('')).toBeUndefined();
    expect(policy.email(42)).toBeUndefined();
  });

  it('drops', () => {
    const policy = createIdentityPolicy({ email: 'drop', accountId: 'drop' });
    expect(policy.email('dev@example.com')).toBeUndefined();
    expect(policy.accountId('acct-1')).toBeUndefined();
  });

  it('hashes with HMAC-SHA256 under the salt: stable, prefixed, and reproducible with the salt', () => {
    const policy = createIdentityPolicy({ email: 'hash', accountId: 'keep', salt: SALT });
    const hashed = policy.email('dev@example.com');
    expect(hashed).toBe(`${IDENTITY_HASH_PREFIX}${createHmac('sha256', SALT).update('dev@example.com').digest('hex')}`);
    expect(hashed).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(createIdentityPolicy({ email: 'hash', accountId: 'hash', salt: SALT }).email('dev@example.com')).toBe(hashed);
    expect(policy.accountId('acct-1')).toBe('acct-1');
    expect(hashIdentity('dev@example.com', `${SALT}x`)).not.toBe(hashed);
    expect(hashIdentity('Dev@example.com', SALT)).not.toBe(hashed);
  });

  it('reports hash without a salt, or with a short one, without printing the salt', () => {
    expect(checkIdentityOptions({ email: 'hash', accountId: 'keep' })).toEqual([{ key: 'salt', message: 'hashing identities needs a salt' }]);
    const short = checkIdentityOptions({ email: 'keep', accountId: 'hash', salt: 'shortsalt' });
    expect(short).toHaveLength(1);
    expect(JSON.stringify(short)).not.toContain('shortsalt');
    expect(checkIdentityOptions({ email: 'keep', accountId: 'drop' })).toEqual([]);
    expect(checkIdentityOptions({ email: 'maybe' as never, accountId: 'keep' })).toEqual([{ key: 'email', message: 'must be "keep", "hash" or "drop"' }]);
    expect(() => createIdentityPolicy({ email: 'hash', accountId: 'keep' })).toThrow(/salt/);
  });
});
