import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniqueResourceName } from '../internal/unique-names.js';
import { connectLocalAws } from '../local-aws.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

describe('s3rver through the real S3Client', () => {
  it('round-trips an object byte-exact', async () => {
    const Bucket = uniqueResourceName('bytes');
    await aws.s3.send(new CreateBucketCommand({ Bucket }));
    const body = randomBytes(1024 * 1024 + 17);
    await aws.s3.send(new PutObjectCommand({ Bucket, Key: 'a/b.bin', Body: body }));
    const got = await aws.s3.send(new GetObjectCommand({ Bucket, Key: 'a/b.bin' }));
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? new Uint8Array());
    expect(bytes.length).toBe(body.length);
    expect(bytes.equals(body)).toBe(true);
  });

  it('pages ListObjectsV2 with continuation tokens', async () => {
    const Bucket = uniqueResourceName('pages');
    await aws.s3.send(new CreateBucketCommand({ Bucket }));
    const keys = Array.from(
      { length: 25 },
      (_, index) => `2026/11/23/${String(index).padStart(3, '0')}.json`,
    );
    for (const Key of keys) await aws.s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const listed: string[] = [];
    let ContinuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await aws.s3.send(
        new ListObjectsV2Command({ Bucket, Prefix: '2026/', MaxKeys: 10, ContinuationToken }),
      );
      pages += 1;
      listed.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    expect(pages).toBe(3);
    expect(listed).toEqual(keys);
  });
});
