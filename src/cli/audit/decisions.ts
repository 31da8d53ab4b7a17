/**
 * Decisions as the audit reads them: the one definition of a denial lives in src/events/decisions.ts
 * (shared with the library's tool spans); only the label of a span-only denial is the audit's own.
 */
export { DENIAL_DECISIONS, LEGACY_DECISIONS, currentDecision, isDenial } from '../../events/decisions.js';

/** The label of a denial known only from an aborted tool span (or a record our connector made from one). */
export const SPAN_DENIAL_LABEL = 'denied or interrupted by the user';
