import { createHmac } from 'node:crypto';

/** What happens to `user.email` and `user.account_id` before they leave the process. */
export type IdentityMode = 'keep' | 'hash' | 'drop';

export interface IdentityOptions {
  email: IdentityMode;
  accountId: IdentityMode;
  /** The HMAC key for `hash`; the operator supplies it through an environment variable. */
  salt?: string;
}

export interface IdentityPolicy {
  email(value: unknown): string | undefined;
  accountId(value: unknown): string | undefined;
}

export interface IdentityProblem {
  /** The extension key at fault: `email`, `account_id` or `salt`. */
  key: 'email' | 'account_id' | 'salt';
  message: string;
}

/** Marks a hashed value so an analyst sees it is keyed, not a plain SHA-256 anyone can recompute. */
export const IDENTITY_HASH_PREFIX = 'hmac-sha256:';
/** Emails and account ids are easy to guess; only the key's secrecy protects them. */
export const MIN_IDENTITY_SALT_LENGTH = 16;

const MODES: readonly IdentityMode[] = ['keep', 'hash', 'drop'];

/** Config problems, for the caller to report. Messages never include the salt. */
export function checkIdentityOptions(options: IdentityOptions): IdentityProblem[] {
  const problems: IdentityProblem[] = [];
  if (!MODES.includes(options.email)) problems.push({ key: 'email', message: 'must be "keep", "hash" or "drop"' });
  if (!MODES.includes(options.accountId)) problems.push({ key: 'account_id', message: 'must be "keep", "hash" or "drop"' });
  const hashing = options.email === 'hash' || options.accountId === 'hash';
  if (hashing) {
    if (typeof options.salt !== 'string' || options.salt === '') {
      problems.push({ key: 'salt', message: 'hashing identities needs a salt' });
    } else if (options.salt.length < MIN_IDENTITY_SALT_LENGTH) {
      problems.push({ key: 'salt', message: `the salt must have at least ${MIN_IDENTITY_SALT_LENGTH} characters` });
    }
  }
  return problems;
}

/** Throws when `checkIdentityOptions` reports a problem: the caller is expected to have checked. */
export function createIdentityPolicy(options: IdentityOptions): IdentityPolicy {
  const problems = checkIdentityOptions(options);
  if (problems.length > 0) {
    throw new TypeError(`invalid identity options: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`);
  }
  const salt = options.salt ?? '';
  return {
    email: applierFor(options.email, salt),
    accountId: applierFor(options.accountId, salt),
  };
}

/**
 * `hmac-sha256:` and the hex HMAC-SHA256 of the UTF-8 value under the salt. Stable across runs and
 * machines, so an analyst holding the salt can find a person's events:
 * `printf '%s' "$EMAIL" | openssl dgst -sha256 -hmac "$CODEX_OTEL_ID_SALT"`.
 */
export function hashIdentity(value: string, salt: string): string {
  return IDENTITY_HASH_PREFIX + createHmac('sha256', salt).update(value, 'utf8').digest('hex');
}

function applierFor(mode: IdentityMode, salt: string): (value: unknown) => string | undefined {
  // An absent or empty value stays absent: the contract never sends "".
  switch (mode) {
    case 'keep':
      return (value) => (typeof value === 'string' && value !== '' ? value : undefined);
    case 'hash':
      return (value) => (typeof value === 'string' && value !== '' ? hashIdentity(value, salt) : undefined);
    case 'drop':
      return () => undefined;
  }
}
