import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalStackService } from './containers/localstack-container.js';
import type { LocalEmulator } from './internal/local-emulator.js';
import { startLocalAws } from './local-aws.js';
import { startS3rver } from './s3/s3rver.js';

// No Docker here: LocalStack is stood in for by s3rver (it speaks the S3 the containers path
// talks to), so that the containers path of startLocalAws runs all the same.
const containers = vi.hoisted(() => ({
  started: [] as { services: readonly LocalStackService[]; stop: () => Promise<void> }[],
  emulators: [] as LocalEmulator[],
}));

vi.mock('./containers/index.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./containers/index.js')>()),
  describeContainersBackend: async () => ({
    available: true,
    requested: true,
    summary: 'container runtime available',
  }),
  startLocalStackContainer: async (services: readonly LocalStackService[]) => {
    const s3 = await startS3rver();
    containers.emulators.push(s3);
    const stop = vi.fn(() => s3.stop());
    containers.started.push({ services, stop });
    return { endpoint: s3.endpoint, region: 'us-east-1', services, stop };
  },
}));

afterEach(async () => {
  await Promise.all(containers.emulators.splice(0).map((emulator) => emulator.stop()));
  containers.started.length = 0;
});

describe('startLocalAws with the containers backend', () => {
  it('creates the requested buckets, says transformations stay local, and stops once', async () => {
    const lines: string[] = [];
    const aws = await startLocalAws({
      backend: 'containers',
      kinesis: false,
      dynamodb: false,
      s3: { buckets: ['archive', 'errors'] },
      firehose: {
        transformations: { 'arn:aws:lambda:us-east-1:000000000000:function:t': vi.fn() },
      },
      log: (line) => lines.push(line),
    });
    try {
      expect(containers.started.map((started) => started.services)).toEqual([['s3', 'firehose']]);
      expect(aws.endpoints.s3?.emulator).toBe('localstack');
      expect(aws.endpoints.firehose?.emulator).toBe('localstack');
      expect(aws.endpoints.kinesis).toBeUndefined();
      const buckets = await aws.s3.send(new ListBucketsCommand({}));
      expect((buckets.Buckets ?? []).map((bucket) => bucket.Name).sort()).toEqual([
        'archive',
        'errors',
      ]);
      expect(lines).toEqual([
        expect.stringMatching(/Firehose transformations run only on the local Firehose/),
      ]);
    } finally {
      const stopping = aws.stop();
      expect(aws.stop()).toBe(stopping);
      await stopping;
    }
    expect(containers.started[0]?.stop).toHaveBeenCalledTimes(1);
  });

  it('starts S3 for Firehose even when S3 itself is off, and logs nothing without transformations', async () => {
    const lines: string[] = [];
    const aws = await startLocalAws({
      backend: 'containers',
      kinesis: false,
      dynamodb: false,
      s3: false,
      log: (line) => lines.push(line),
    });
    await aws.stop();
    expect(containers.started.map((started) => started.services)).toEqual([['s3', 'firehose']]);
    expect(lines).toEqual([]);
  });
});
