/**
 * The one definition of a denial. `codex.tool_decision` decisions as Codex 0.169 spells them (contract §1.4),
 * the spellings older Codex sent in a mixed fleet (contract §8) with their current form, and which decisions
 * mean "the call did not run because someone or something said no". The library's tool spans (a denial
 * ends the call's span with `aborted = true`) and `codex-otel audit` use this module; the collector's
 * normalisation and the dashboards' `decision=~"denied|denied_.+|abort|timed_out"` mirror it (a unit test
 * checks that they agree on every known spelling).
 */
import type { Decision } from './inputs.js';

/** Every decision Codex 0.169 sends, approvals first (the `Decision` type, as data: adding one there fails to compile here). */
export const CURRENT_DECISIONS = Object.keys({
  approved: true,
  approved_for_session: true,
  approved_with_amendment: true,
  approved_mcp_policy_amendment: true,
  approved_with_network_policy_allow: true,
  denied_with_network_policy_deny: true,
  denied: true,
  timed_out: true,
  abort: true,
} satisfies Record<Decision, true>) as readonly Decision[];

/** Older spellings → the 0.169 ones (the collector rewrites the same ones, keeping `decision.original`). */
export const LEGACY_DECISIONS: Readonly<Record<string, Decision>> = {
  approvedforsession: 'approved_for_session',
  approvedexecpolicyamendment: 'approved_with_amendment',
  // Older Codex used this for a network rule the user added to allow the request.
  networkpolicyamendment: 'approved_with_network_policy_allow',
  timedout: 'timed_out',
};

/** Decisions that mean the tool call did not run because someone or something said no. */
export const DENIAL_DECISIONS: ReadonlySet<string> = new Set<Decision>(['denied', 'abort', 'timed_out', 'denied_with_network_policy_deny']);

/** The current spelling of a decision: legacy spellings mapped, any case; unknown decisions kept as sent. */
export function currentDecision(decision: string | null): string | null {
  if (decision === null) return null;
  const key = decision.trim().toLowerCase();
  return LEGACY_DECISIONS[key] ?? (DENIAL_DECISIONS.has(key) || key.startsWith('approved') || key.startsWith('denied_') ? key : decision);
}

/** True for a denial; decisions are opaque snake_case, so a future `denied_…` is a denial too. */
export function isDenial(decision: string | null | undefined): boolean {
  const current = currentDecision(decision ?? null);
  return current !== null && (DENIAL_DECISIONS.has(current) || current.startsWith('denied_'));
}

/** True for an approval (`approved`, any `approved_…`, and the legacy approvals); an unknown decision is neither. */
export function isApproval(decision: string | null | undefined): boolean {
  const current = currentDecision(decision ?? null);
  return current !== null && current.startsWith('approved');
}
