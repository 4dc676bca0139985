import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { localClientConfig } from '../internal/local-client-config.js';

/**
 * Test-only: s3rver in this process with an S3 client set up for it, for the Firehose
 * integration tests. Not exported from the package.
 */

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  readonly address: string;
  readonly port: number;
  readonly silent: boolean;
  readonly directory: string;
  readonly configureBuckets?: readonly { readonly name: string }[];
}) => S3rverInstance;

export interface TestS3 {
  readonly endpoint: string;
  /** A client with the settings s3rver needs (path style, checksums only when required). */
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  /** Every key under `prefix`, sorted (s3rver lists at most 1000; the tests stay below that). */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  object(bucket: string, key: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export const startTestS3 = async (buckets: readonly string[] = []): Promise<TestS3> => {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const directory = await mkdtemp(join(tmpdir(), 'firehose-test-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    ...localClientConfig(endpoint),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    keys: async (bucket, prefix) => {
      const listed = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          ...(prefix === undefined ? {} : { Prefix: prefix }),
        }),
      );
      if (listed.IsTruncated) throw new Error('The test listed more than one page of keys');
      return (listed.Contents ?? [])
        .flatMap((object) => (object.Key === undefined ? [] : [object.Key]))
        .sort();
    },
    object: async (bucket, key) => {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (got.Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
      return Buffer.from(await got.Body.transformToByteArray());
    },
    stop: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
};
