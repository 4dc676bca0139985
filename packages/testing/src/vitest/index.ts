import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { type LocalAwsEndpoints, type LocalAwsOptions, startLocalAws } from '../local-aws.js';

/**
 * The key under which the global setup provides the endpoints to test files.
 *
 * @example
 * ```ts
 * import { inject } from 'vitest';
 * const aws = connectLocalAws(inject(LOCAL_AWS_KEY)); // same as inject('tributaryLocalAws')
 * ```
 */
export const LOCAL_AWS_KEY = 'tributaryLocalAws';

declare module 'vitest' {
  interface ProvidedContext {
    tributaryLocalAws: LocalAwsEndpoints;
  }
}

/**
 * Creates a Vitest global setup that starts one shared set of local AWS services for the whole
 * run and stops it (every emulator and child process) when the run ends, also after failures.
 * Test files connect with `connectLocalAws(inject('tributaryLocalAws'))` and isolate themselves
 * with unique stream, table and bucket names (`uniqueResourceName`).
 *
 * @example
 * ```ts
 * // aws.setup.ts, listed in vitest.config.ts as test.globalSetup
 * export default localAwsGlobalSetup({ kinesis: 'kinesalite', dynamodb: 'dynamodb-local' });
 *
 * // some.integration.test.ts
 * import { inject } from 'vitest';
 * const aws = connectLocalAws(inject('tributaryLocalAws'));
 * ```
 */
export const localAwsGlobalSetup =
  (options: LocalAwsOptions = {}) =>
  async (project: TestProject): Promise<() => Promise<void>> => {
    const aws = await startLocalAws(options);
    project.provide(LOCAL_AWS_KEY, aws.endpoints);
    return () => aws.stop();
  };
