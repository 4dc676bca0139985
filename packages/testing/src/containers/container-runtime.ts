import { ContainerRuntimeUnavailableError } from './container-runtime-unavailable-error.js';

/** The `testcontainers` module, loaded on demand: it is an optional peer dependency. */
export type TestcontainersModule = typeof import('testcontainers');

/** What {@link probeContainerRuntime} found. */
export type ContainerRuntimeProbe =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string };

/** Options of {@link probeContainerRuntime}. */
export interface ProbeContainerRuntimeOptions {
  /**
   * How long to wait for the runtime to answer (default 5 s). Without a runtime testcontainers
   * rejects within milliseconds; the limit only matters when `DOCKER_HOST` points at a host that
   * never answers.
   */
  readonly timeoutMs?: number;
}

const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** The environment variable that selects containers instead of local servers for tests. */
export const TEST_BACKEND_ENV = 'TRIBUTARY_TEST_BACKEND';

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const isTestcontainersMissing = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  'code' in error &&
  (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND') &&
  messageOf(error).includes('testcontainers');

/**
 * Loads `testcontainers` (through `importModule`, a seam for tests); rejects with
 * {@link ContainerRuntimeUnavailableError} when it is not installed or does not load.
 */
export const loadTestcontainers = async (
  importModule: () => Promise<TestcontainersModule> = () => import('testcontainers'),
): Promise<TestcontainersModule> => {
  try {
    return await importModule();
  } catch (error) {
    throw new ContainerRuntimeUnavailableError(
      isTestcontainersMissing(error)
        ? 'testcontainers is not installed; add testcontainers@^11.14 to your dev dependencies'
        : `testcontainers could not be loaded: ${messageOf(error)}`,
      { cause: error },
    );
  }
};

const withTimeout = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};

/**
 * {@link probeContainerRuntime} with the module loader as a parameter, so that tests can stand
 * in for a missing `testcontainers`. Not part of the public API.
 */
export const probeContainerRuntimeWith = async (
  load: () => Promise<Pick<TestcontainersModule, 'getContainerRuntimeClient'>>,
  options: ProbeContainerRuntimeOptions = {},
): Promise<ContainerRuntimeProbe> => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  try {
    const testcontainers = await load();
    await withTimeout(
      testcontainers.getContainerRuntimeClient(),
      timeoutMs,
      'the container runtime did not answer',
    );
    return { available: true };
  } catch (error) {
    const reason =
      error instanceof ContainerRuntimeUnavailableError ? error.reason : messageOf(error);
    return { available: false, reason };
  }
};

/**
 * Checks whether a container runtime (Docker, Podman, Colima, …) answers, through
 * testcontainers' `getContainerRuntimeClient()`. Never rejects: a missing runtime, a missing
 * `testcontainers` package or a runtime that does not answer in time all resolve to
 * `{ available: false, reason }`. Without a runtime it answers in a few milliseconds (plus about
 * half a second to load testcontainers the first time).
 *
 * @example
 * ```ts
 * const runtime = await probeContainerRuntime();
 * if (!runtime.available) console.warn(`no containers: ${runtime.reason}`);
 * ```
 */
export const probeContainerRuntime = (
  options: ProbeContainerRuntimeOptions = {},
): Promise<ContainerRuntimeProbe> => probeContainerRuntimeWith(() => loadTestcontainers(), options);

/**
 * Loads testcontainers and checks the runtime; rejects with
 * {@link ContainerRuntimeUnavailableError} when either is missing.
 */
export const requireContainerRuntime = async (): Promise<TestcontainersModule> => {
  const testcontainers = await loadTestcontainers();
  const probe = await probeContainerRuntimeWith(async () => testcontainers);
  if (!probe.available) throw new ContainerRuntimeUnavailableError(probe.reason);
  return testcontainers;
};

/** Whether {@link TEST_BACKEND_ENV} asks for containers. */
export const containersBackendRequested = (): boolean =>
  process.env[TEST_BACKEND_ENV] === 'containers';

/** What {@link describeContainersBackend} found. */
export type ContainersBackendStatus =
  | {
      readonly available: true;
      /** Whether `TRIBUTARY_TEST_BACKEND=containers` is set. */
      readonly requested: boolean;
      /** One line for a test title or a log. */
      readonly summary: string;
    }
  | {
      readonly available: false;
      readonly requested: boolean;
      /** Why no runtime is available. */
      readonly reason: string;
      /** `skipped: no container runtime (<reason>)`. */
      readonly summary: string;
    };

/**
 * Describes the containers backend for tests that need it: whether a container runtime answers,
 * whether `TRIBUTARY_TEST_BACKEND=containers` asked for it, and a one-line summary to put in the
 * title of a skipped suite, so that a run without Docker skips those tests with a clear message
 * instead of failing. Never rejects.
 *
 * @example
 * ```ts
 * const containers = await describeContainersBackend();
 *
 * describe.skipIf(!containers.available)(`PostgreSQL in a container (${containers.summary})`, () => {
 *   it('starts', async () => {
 *     const postgres = await startPostgresContainer();
 *     await postgres.stop();
 *   });
 * });
 * ```
 */
export const describeContainersBackend = async (
  options: ProbeContainerRuntimeOptions = {},
): Promise<ContainersBackendStatus> => {
  const requested = containersBackendRequested();
  const probe = await probeContainerRuntime(options);
  if (probe.available) {
    return { available: true, requested, summary: 'container runtime available' };
  }
  return {
    available: false,
    requested,
    reason: probe.reason,
    summary: new ContainerRuntimeUnavailableError(probe.reason).message,
  };
};
