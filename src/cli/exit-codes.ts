/** The exit codes of every codex-otel command (docs/cli.md has the table). */
export const EXIT_OK = 0;
/** Delivery failed or was incomplete (simulate, demo, flush), or a doctor check failed. */
export const EXIT_FAILURE = 1;
/** Bad options, or a config error (missing file, invalid [otel]). */
export const EXIT_USAGE = 2;
