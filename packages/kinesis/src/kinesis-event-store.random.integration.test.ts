import { InMemoryStreamHeadStore } from '@tributary/core';
import { connectLocalAws, uniqueResourceName } from '@tributary/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestStream } from './test-support/kinesis-stream.js';
import { runRandomWriters } from './test-support/randomized-writers.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

// A fixed seed by default, so a failure reproduces; TRIBUTARY_SEED picks another.
const seed = Number(process.env.TRIBUTARY_SEED ?? 20261123);

describe('concurrent writers with random faults (in-memory heads, real kinesalite)', () => {
  it(`loses, duplicates (after dedupe) and reorders nothing over 240 commands (seed ${seed})`, async () => {
    console.log(`randomized write-path run: seed ${seed} (set TRIBUTARY_SEED to replay another)`);
    const streamName = await createTestStream(aws.kinesis, 2);
    const streams = ['a', 'b', 'c'].map((name) => uniqueResourceName(`random-${name}`));
    const kinesisEndpoint = aws.endpoints.kinesis?.endpoint ?? '';
    const report = await runRandomWriters({
      seed,
      iterations: 240,
      writers: 4,
      streams,
      kinesisEndpoint,
      streamName,
      heads: new InMemoryStreamHeadStore(),
    });
    console.log(
      `seed ${seed}: ${report.crashes} crashes, ${report.unpublished} store errors, versions ${streams.map((id) => report.versions.get(id)?.length ?? 0).join('/')}`,
    );
    // Faults really happened, and commands really landed.
    expect(report.crashes).toBeGreaterThan(10);
    const total = streams.reduce((sum, id) => sum + (report.versions.get(id)?.length ?? 0), 0);
    expect(total).toBeGreaterThan(150);
  });
});
