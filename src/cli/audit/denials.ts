/**
 * Denials from both places they show up, counted once: a `codex.tool_decision` with a denying
 * decision, and an aborted tool span (`aborted = true`) — or the `codex.tool_decision` our collector
 * connector makes from that span (`codex_otel.derived_from = "span"`). The Codex 0.169 TUI sends no
 * decision at all for a user's denial, only the span. Joined on `call_id`: one denial that arrives in
 * several forms is one row, whose `evidence` says which forms were seen.
 */
import { SPAN_DENIAL_LABEL } from './decisions.js';

export type DenialEvidence = 'decision' | 'span';

export interface DenialRow {
  timestamp: string | null;
  conversation_id: string | null;
  user_email: string | null;
  tool_name: string | null;
  call_id: string | null;
  decision: string | null;
  source: string | null;
  /** The client (`originator`) of the record, or of the conversation for a span-only denial. */
  originator: string | null;
  /** The decision as a person reads it; span-only denials: "denied or interrupted by the user". */
  label: string;
  /** `decision`, `span`, or `decision+span` when both forms of the same call were seen. */
  evidence: string;
}

/** One sighting of a denial. */
export interface DenialSighting {
  evidence: DenialEvidence;
  time: number | null;
  conversation: string | null;
  user: string | null;
  originator: string | null;
  tool: string | null;
  callId: string | null;
  decision: string | null;
  source: string | null;
}

interface Joined {
  time: number | null;
  fromDecision: DenialSighting | null;
  fromSpan: DenialSighting | null;
}

/** Who was in a conversation, for span-only denials (spans carry no user). */
export interface ConversationIdentity {
  user: string | null;
  originator: string | null;
}

export class DenialJoin {
  private readonly byCallId = new Map<string, Joined>();
  private readonly withoutCallId: Joined[] = [];

  add(sighting: DenialSighting): void {
    const key = sighting.callId;
    let joined = key === null ? undefined : this.byCallId.get(key);
    if (!joined) {
      joined = { time: null, fromDecision: null, fromSpan: null };
      if (key === null) this.withoutCallId.push(joined);
      else this.byCallId.set(key, joined);
    }
    if (sighting.evidence === 'decision') joined.fromDecision ??= sighting;
    else joined.fromSpan ??= sighting;
  }

  /** The joined denials, each with its time (epoch ms), identities filled from the conversation. */
  rows(identity: (conversation: string) => ConversationIdentity | undefined): Array<{ time: number | null; row: DenialRow }> {
    return [...this.byCallId.values(), ...this.withoutCallId].map((joined) => toRow(joined, identity));
  }
}

function toRow(joined: Joined, identity: (conversation: string) => ConversationIdentity | undefined): { time: number | null; row: DenialRow } {
  const decision = joined.fromDecision;
  const span = joined.fromSpan;
  const first = decision ?? span!;
  const pick = <K extends keyof DenialSighting>(key: K): DenialSighting[K] => (decision?.[key] ?? span?.[key] ?? null) as DenialSighting[K];
  const conversation = pick('conversation');
  const known = conversation === null ? undefined : identity(conversation);
  const time = pick('time');
  return {
    time,
    row: {
      timestamp: iso(time),
      conversation_id: conversation,
      user_email: pick('user') ?? known?.user ?? null,
      tool_name: pick('tool'),
      call_id: first.callId,
      decision: pick('decision'),
      source: pick('source'),
      originator: pick('originator') ?? known?.originator ?? null,
      label: decision ? decision.decision ?? 'unknown' : SPAN_DENIAL_LABEL,
      evidence: decision && span ? 'decision+span' : first.evidence,
    },
  };
}

function iso(millis: number | null): string | null {
  if (millis === null) return null;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
