export {
  REDACTION_MARKER_PREFIX,
  SECRET_KINDS,
  SECRET_PATTERNS,
  SECRET_NAME_REGEX,
  redactionMarker,
  type PreservedContext,
  type SecretPattern,
} from './patterns.js';
export {
  compileExtraPatterns,
  type CompiledSecretPattern,
  type ExtraPatternError,
  type ExtraPatternSpec,
  type ExtraPatternsResult,
} from './compile.js';
export { SCRUB_FAILED, createScrubber, type RedactionCounter, type Scrubber, type ScrubberOptions } from './scrubber.js';
export {
  PREVIEW_MAX_BYTES,
  PREVIEW_TRUNCATION_NOTICE,
  SCRUB_WINDOW,
  cutPreview,
  outputPreview,
  scrubThenCutPreview,
  scrubThenPreview,
  scrubWindow,
  type CutPreview,
  type PreviewOptions,
} from './preview.js';
export { PROMPT_REDACTED, promptLength, redactPrompt } from './prompt.js';
export {
  IDENTITY_HASH_PREFIX,
  MIN_IDENTITY_SALT_LENGTH,
  checkIdentityOptions,
  createIdentityPolicy,
  hashIdentity,
  type IdentityMode,
  type IdentityOptions,
  type IdentityPolicy,
  type IdentityProblem,
} from './identity.js';
export { renderCollectorSecretsYaml } from './collector-rules.js';
export { findRe2Incompatibilities } from './re2-syntax.js';
export { scrubStructured, looksLikeJson, argvSecrets } from './structured.js';
export { FIELD_POLICY, fieldHandling, scrubField, scrubUrl, type FieldHandling } from './field-policy.js';
export { PendingFields, settleRecords, type FieldScrub, type PendingShape, type SettledListener } from './deferred.js';
export { isCodeOrReference } from './keep.js';
