import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  RegisterStreamConsumerCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { liveProcessIds } from './internal/child-processes.js';
import { processesInGroups } from './internal/process-groups.js';
import { startLocalAws } from './local-aws.js';

const here = import.meta.dirname;
const packageDir = join(here, '..');

const waitForNoProcesses = async (groups: readonly number[], timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (processesInGroups(groups).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return processesInGroups(groups);
};

const waitForStatus = async (
  aws: Awaited<ReturnType<typeof startLocalAws>>,
  StreamName: string,
  timeoutMs = 20_000,
) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    const status = summary.StreamDescriptionSummary?.StreamStatus;
    if (status === 'ACTIVE') return summary;
    if (Date.now() >= deadline) {
      throw new Error(`stream ${StreamName} is still ${status} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('startLocalAws with child-process emulators', () => {
  it('serves kinesis-mock features and leaves no process behind after stop()', async () => {
    const aws = await startLocalAws({
      kinesis: 'kinesis-mock',
      dynamodb: 'dynamodb-local',
      s3: false,
      firehose: false,
    });
    const groups = liveProcessIds();
    try {
      expect(groups.length).toBeGreaterThanOrEqual(2);
      // Both the watchdogs and the emulators they run (java, node) are alive.
      expect(processesInGroups(groups).length).toBeGreaterThanOrEqual(4);
      expect((await aws.dynamodb.send(new ListTablesCommand({}))).TableNames).toBeDefined();

      const StreamName = 'reshard';
      await aws.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
      const summary = await waitForStatus(aws, StreamName);
      await aws.kinesis.send(
        new UpdateShardCountCommand({
          StreamName,
          TargetShardCount: 2,
          ScalingType: 'UNIFORM_SCALING',
        }),
      );
      await waitForStatus(aws, StreamName);
      const shards = (await aws.kinesis.send(new ListShardsCommand({ StreamName }))).Shards ?? [];
      const parent = shards.find((shard) => shard.ParentShardId === undefined);
      const children = shards.filter((shard) => shard.ParentShardId !== undefined);
      expect(parent).toBeDefined();
      expect(children.length).toBe(2);
      expect(children.every((shard) => shard.ParentShardId === parent?.ShardId)).toBe(true);

      const consumer = await aws.kinesis.send(
        new RegisterStreamConsumerCommand({
          StreamARN: summary.StreamDescriptionSummary?.StreamARN,
          ConsumerName: 'fan-out',
        }),
      );
      expect(consumer.Consumer?.ConsumerName).toBe('fan-out');
    } finally {
      await aws.stop();
    }
    expect(liveProcessIds()).toEqual([]);
    expect(await waitForNoProcesses(groups, 1_000)).toEqual([]);
  });

  it('leaves no emulator behind when a test run fails', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'tributary-fixture-')), 'pids.json');
    const vitest = join(packageDir, 'node_modules', 'vitest', 'vitest.mjs');
    const run = await promisify(execFile)(
      process.execPath,
      [
        vitest,
        'run',
        '--config',
        join(here, '__fixtures__', 'failing-run', 'vitest.config.ts'),
        '--reporter=dot',
      ],
      { cwd: packageDir, env: { ...process.env, TRIBUTARY_FIXTURE_PID_FILE: pidFile } },
    ).then(
      () => ({ code: 0 }),
      (error: { code?: number }) => ({ code: error.code }),
    );
    expect(run.code).toBe(1);
    const groups = JSON.parse(readFileSync(pidFile, 'utf8')) as number[];
    expect(groups.length).toBe(1);
    expect(await waitForNoProcesses(groups)).toEqual([]);
  });

  for (const ending of ['crashes', 'is killed with SIGKILL'] as const) {
    it(`leaves no emulator behind when the test process ${ending}`, async () => {
      const child: ChildProcess = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(here, '__fixtures__', 'crashing-process.ts'),
          ...(ending === 'crashes' ? ['--crash'] : []),
        ],
        { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const groups = await new Promise<number[]>((resolve, reject) => {
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const line = output.split('\n').find((candidate) => candidate.startsWith('['));
          if (line !== undefined) resolve(JSON.parse(line) as number[]);
        });
        child.on('exit', (code) =>
          reject(new Error(`fixture exited with ${code} before it started: ${output}`)),
        );
      });
      if (ending === 'is killed with SIGKILL') {
        expect(processesInGroups(groups).length).toBeGreaterThanOrEqual(2);
        child.kill('SIGKILL');
      }
      const code = await new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.on('exit', (exitCode) => resolve(exitCode));
      });
      if (ending === 'crashes') expect(code).toBe(1);
      expect(groups.length).toBe(1);
      expect(await waitForNoProcesses(groups)).toEqual([]);
    });
  }
});

describe('startLocalAws backends', () => {
  it('says once that the containers backend is skipped without Docker, and runs local emulators', async () => {
    const lines: string[] = [];
    const aws = await startLocalAws({
      backend: 'containers',
      kinesis: 'kinesalite',
      dynamodb: 'dynalite',
      s3: false,
      firehose: false,
      log: (line) => lines.push(line),
    });
    try {
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /TRIBUTARY_TEST_BACKEND=containers skipped: .+; using local emulators/,
      );
      expect(aws.endpoints.kinesis?.emulator).toBe('kinesalite');
      expect(aws.endpoints.dynamodb?.emulator).toBe('dynalite');
      expect(() => aws.s3).toThrow(/S3 was not started/);
    } finally {
      await aws.stop();
    }
  });

  it('stops what it started when another emulator fails to start', async () => {
    const before = liveProcessIds();
    const javaHome = process.env.JAVA_HOME;
    process.env.JAVA_HOME = '/nonexistent-java-home';
    try {
      await expect(
        startLocalAws({
          kinesis: 'kinesis-mock',
          dynamodb: 'dynamodb-local',
          s3: false,
          firehose: false,
        }),
      ).rejects.toThrow(
        /DynamoDB Local needs Java 17\+, and "\/nonexistent-java-home\/bin\/java" could not be run/,
      );
    } finally {
      if (javaHome === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = javaHome;
    }
    // kinesis-mock was starting in parallel: it was awaited and stopped, not leaked.
    expect(liveProcessIds()).toEqual(before);
  });
});
