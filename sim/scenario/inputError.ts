/**
 * A scenario that passes the schema but cannot be built as written: a host index past the
 * topology, more incast senders than hosts, a CDF that does not exist, a buffer smaller than
 * what PFC reserves in it. Named 'ScenarioError', so that the command line reports it like a
 * schema error (one line, exit 2: sim/cli/main.ts isInputError) without the layers that throw it
 * importing the loader.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}
