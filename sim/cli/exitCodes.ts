/** The command line's exit codes (docs/results.md): what scripts and CI branch on. */
export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_INVALID = 2;
export const EXIT_REGRESSION = 3;

/** A bad command line: reported as one line, exit code 2. */
export class UsageError extends Error {}
