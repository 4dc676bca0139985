import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeContainersBackend,
  loadTestcontainers,
  probeContainerRuntime,
  probeContainerRuntimeWith,
  type TestcontainersModule,
} from './container-runtime.js';
import { ContainerRuntimeUnavailableError } from './container-runtime-unavailable-error.js';
import { startLocalStackContainer } from './localstack-container.js';
import { startMariaDbContainer } from './mariadb-container.js';
import { startPostgresContainer } from './postgres-container.js';

// Where testcontainers looks for a runtime; with none of these, the probe must say unavailable.
const dockerHints = [
  '/var/run/docker.sock',
  join(homedir(), '.docker', 'run', 'docker.sock'),
  join(homedir(), '.docker', 'desktop', 'docker.sock'),
  join(homedir(), '.colima', 'default', 'docker.sock'),
  ...(process.getuid === undefined ? [] : [`/run/user/${process.getuid()}/docker.sock`]),
];
const noRuntimeHere =
  process.env.DOCKER_HOST === undefined &&
  process.env.TESTCONTAINERS_HOST_OVERRIDE === undefined &&
  !dockerHints.some((path) => existsSync(path));

const runtime = await probeContainerRuntime();

const fakeModule = (
  getContainerRuntimeClient: TestcontainersModule['getContainerRuntimeClient'],
): Pick<TestcontainersModule, 'getContainerRuntimeClient'> => ({ getContainerRuntimeClient });

describe('probeContainerRuntime', () => {
  it('answers within 2 s', async () => {
    const started = performance.now();
    const probe = await probeContainerRuntime();
    expect(performance.now() - started).toBeLessThan(2_000);
    if (!probe.available) expect(probe.reason).not.toBe('');
  });

  it.runIf(noRuntimeHere)('reports no runtime on a machine without Docker, with a reason', () => {
    expect(runtime).toEqual({ available: false, reason: expect.stringMatching(/\S/) });
  });

  it('reports testcontainers missing as unavailable, naming the package', async () => {
    const missing = Object.assign(
      new Error("Cannot find package 'testcontainers' imported from /app/index.js"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    const probe = await probeContainerRuntimeWith(() =>
      loadTestcontainers(() => Promise.reject(missing)),
    );
    expect(probe).toEqual({
      available: false,
      reason: expect.stringContaining('testcontainers is not installed'),
    });
  });

  it('reports a runtime that never answers as unavailable after the timeout', async () => {
    const probe = await probeContainerRuntimeWith(
      async () => fakeModule(() => new Promise(() => {})),
      { timeoutMs: 50 },
    );
    expect(probe).toEqual({
      available: false,
      reason: 'the container runtime did not answer within 50 ms',
    });
  });

  it('reports a runtime that answers as available', async () => {
    const probe = await probeContainerRuntimeWith(async () =>
      fakeModule(
        async () => ({}) as Awaited<ReturnType<TestcontainersModule['getContainerRuntimeClient']>>,
      ),
    );
    expect(probe).toEqual({ available: true });
  });
});

describe('describeContainersBackend', () => {
  const saved = process.env.TRIBUTARY_TEST_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.TRIBUTARY_TEST_BACKEND;
    else process.env.TRIBUTARY_TEST_BACKEND = saved;
  });

  it('summarises the runtime in one line and tells whether containers were requested', async () => {
    process.env.TRIBUTARY_TEST_BACKEND = 'containers';
    const status = await describeContainersBackend();
    expect(status.requested).toBe(true);
    expect(status.available).toBe(runtime.available);
    if (status.available) {
      expect(status.summary).toBe('container runtime available');
    } else {
      expect(status.summary).toBe(`skipped: no container runtime (${status.reason})`);
    }
    delete process.env.TRIBUTARY_TEST_BACKEND;
    expect((await describeContainersBackend()).requested).toBe(false);
  });
});

describe('ContainerRuntimeUnavailableError', () => {
  it('carries the reason and reads as a skip', () => {
    const error = new ContainerRuntimeUnavailableError('no socket', { cause: 'x' });
    expect(error.message).toBe('skipped: no container runtime (no socket)');
    expect(error.reason).toBe('no socket');
    expect(error.kind).toBe('container-runtime-unavailable');
    expect(error.name).toBe('ContainerRuntimeUnavailableError');
    expect(error.cause).toBe('x');
  });
});

describe.runIf(!runtime.available)('starting containers without a runtime', () => {
  it.each([
    ['startPostgresContainer', () => startPostgresContainer()],
    ['startMariaDbContainer', () => startMariaDbContainer()],
    ['startLocalStackContainer', () => startLocalStackContainer(['kinesis'])],
  ])('%s rejects with ContainerRuntimeUnavailableError', async (_name, start) => {
    const started = performance.now();
    const error = await start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContainerRuntimeUnavailableError);
    expect((error as Error).message).toMatch(/^skipped: no container runtime \(.+\)$/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('startLocalStackContainer', () => {
  it('refuses an empty service list', async () => {
    await expect(startLocalStackContainer([])).rejects.toThrow(TypeError);
  });
});
