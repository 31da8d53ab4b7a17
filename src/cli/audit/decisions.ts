/**
 * `codex.tool_decision` decisions as Codex 0.169 spells them (contract §1.4), older spellings of a
 * mixed fleet (contract §8) mapped to the current ones, and which decisions are denials.
 */

/** Older spellings → the 0.169 ones. */
export const LEGACY_DECISIONS: Readonly<Record<string, string>> = {
  approvedforsession: 'approved_for_session',
  approvedexecpolicyamendment: 'approved_with_amendment',
  // Older Codex used this for a network rule the user added to allow the request.
  networkpolicyamendment: 'approved_with_network_policy_allow',
  timedout: 'timed_out',
};

/** Decisions that mean the tool call did not run because someone or something said no. */
export const DENIAL_DECISIONS: ReadonlySet<string> = new Set(['denied', 'abort', 'timed_out', 'denied_with_network_policy_deny']);

/** The current spelling of a decision: legacy spellings mapped, any case; unknown decisions kept as sent. */
export function currentDecision(decision: string | null): string | null {
  if (decision === null) return null;
  const key = decision.trim().toLowerCase();
  return LEGACY_DECISIONS[key] ?? (DENIAL_DECISIONS.has(key) || key.startsWith('approved') ? key : decision);
}

/** True for a denial; decisions are opaque snake_case, so a future `denied_…` is a denial too. */
export function isDenial(decision: string | null): boolean {
  const current = currentDecision(decision);
  return current !== null && (DENIAL_DECISIONS.has(current) || current.startsWith('denied_'));
}

/** The label of a denial known only from an aborted tool span (or a record our connector made from one). */
export const SPAN_DENIAL_LABEL = 'denied or interrupted by the user';
