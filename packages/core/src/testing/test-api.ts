/**
 * The slice of a test runner the contract suites need. Vitest, Jest and `node:test` all fit:
 * pass `{ describe, it, afterAll }` from Vitest or Jest, or `{ describe, it, afterAll: after }`
 * from `node:test`. When none is given, the runner's globals are used if it installs them.
 */
export interface TestApi {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void> | void): unknown;
  afterAll?(body: () => Promise<void> | void): unknown;
}

/** Picks the given test API, or the runner's globals; throws when there is neither. */
export const resolveTestApi = (given: TestApi | undefined, suite: string): TestApi => {
  if (given !== undefined) return given;
  const globals = globalThis as Partial<TestApi>;
  if (typeof globals.describe === 'function' && typeof globals.it === 'function') {
    return globals as TestApi;
  }
  throw new TypeError(
    `${suite}: no test runner found. Pass { describe, it, afterAll } from your runner (e.g. import them from 'vitest') in the options.`,
  );
};

/** What every contract suite takes besides its factory. */
export interface ContractSuiteOptions {
  /** Called once after the suite (stop emulators, close clients). */
  readonly teardown?: () => void | Promise<void>;
  /** The test runner's `describe`, `it` and `afterAll` (default: the runner's globals). */
  readonly testApi?: TestApi;
}

/** Opens a contract suite: resolves the runner, registers the teardown, hands `it` to the body. */
export const contractSuite = (
  suite: string,
  name: string,
  options: ContractSuiteOptions,
  body: (it: TestApi['it']) => void,
): void => {
  const { describe, it, afterAll } = resolveTestApi(options.testApi, suite);
  describe(`${suite}: ${name}`, () => {
    if (options.teardown !== undefined) {
      if (afterAll === undefined) throw new TypeError(`${suite}: teardown needs testApi.afterAll`);
      afterAll(options.teardown);
    }
    body(it);
  });
};
