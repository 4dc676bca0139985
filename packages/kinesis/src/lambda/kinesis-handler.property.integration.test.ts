// Property: whatever the batch sizes, sink failures, quarantine failures, duplicate publications,
// KPL aggregation and Lambda redeliveries, an idempotent sink driven through the handler the way a
// Kinesis event source mapping drives it ends in the state of one clean pass.
import type { Commit } from '@tributary/core';
import { connectLocalAws } from '@tributary/testing';
import fc from 'fast-check';
import { afterAll, expect, inject, it } from 'vitest';
import { encodeCommit } from '../commit-codec.js';
import { createTestStream } from '../test-support/kinesis-stream.js';
import { createKinesisHandler, type DeliveredCommit } from './kinesis-handler.js';
import type { KinesisStreamRecord } from './kinesis-stream-event.js';
import { countedCommit, eventTypes } from './test-support/fixtures.js';
import { aggregateRecords } from './test-support/kpl-aggregate.js';
import {
  lambdaEvent,
  type PutEntry,
  putRecords,
  readLambdaRecords,
} from './test-support/lambda-event.js';
import { recordingLogger } from './test-support/recorders.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

type Entry =
  | { readonly kind: 'commit'; readonly commit: Commit }
  | { readonly kind: 'garbage'; readonly text: string };

const logSpec = fc.record({
  commits: fc.array(fc.record({ stream: fc.nat(3), events: fc.integer({ min: 1, max: 3 }) }), {
    minLength: 1,
    maxLength: 40,
  }),
  /** Commits published again later in the log, as the event store may after a crash. */
  duplicates: fc.array(fc.record({ of: fc.nat(), after: fc.nat() }), { maxLength: 8 }),
  /** Records of another producer, or corrupt ones, that must be quarantined. */
  garbage: fc.array(
    fc.record({ at: fc.nat(), text: fc.constantFrom('not json', '{"format":"other"}', '[]') }),
    { maxLength: 4 },
  ),
  /** How consecutive entries are packed into Kinesis records (KPL aggregates or plain). */
  groups: fc.array(fc.record({ size: fc.integer({ min: 1, max: 4 }), aggregate: fc.boolean() }), {
    minLength: 1,
    maxLength: 12,
  }),
});

const sinkDecision = fc.oneof(
  fc.constant({ kind: 'ok' as const, at: 0 }),
  fc.record({ kind: fc.constant('throw' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('partial' as const), at: fc.nat() }),
  // Applies the first commits, then throws: the sink's state is ahead of what the handler knows.
  fc.record({ kind: fc.constant('partialThrow' as const), at: fc.nat() }),
);

const deliverySpec = fc.record({
  batchSizes: fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 10 }),
  sinkDecisions: fc.array(sinkDecision, { maxLength: 15 }),
  quarantineFailures: fc.array(fc.boolean(), { maxLength: 6 }),
  /** After a successful invocation Lambda may deliver some records again (at-least-once). */
  rewinds: fc.array(fc.nat(5), { maxLength: 10 }),
  maxBatchSize: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
});

type LogSpec = typeof logSpec extends fc.Arbitrary<infer T> ? T : never;

const buildEntries = (spec: LogSpec): Entry[] => {
  const versions = new Map<string, number>();
  const commits = spec.commits.map(({ stream, events }) => {
    const streamId = `s${stream}`;
    const from = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, from + events - 1);
    return countedCommit(streamId, from, events);
  });
  const entries: Entry[] = commits.map((commit) => ({ kind: 'commit', commit }));
  for (const duplicate of spec.duplicates) {
    const original = commits[duplicate.of % commits.length] as Commit;
    const position = entries.findIndex(
      (entry) => entry.kind === 'commit' && entry.commit === original,
    );
    const at = position + 1 + (duplicate.after % (entries.length - position));
    entries.splice(at, 0, { kind: 'commit', commit: original });
  }
  for (const garbage of spec.garbage) {
    entries.splice(garbage.at % (entries.length + 1), 0, { kind: 'garbage', text: garbage.text });
  }
  return entries;
};

const toPutEntries = (entries: readonly Entry[], groups: LogSpec['groups']): PutEntry[] => {
  const users = entries.map((entry) =>
    entry.kind === 'commit'
      ? { partitionKey: entry.commit.streamId, data: encodeCommit(entry.commit) }
      : { partitionKey: 'garbage', data: new TextEncoder().encode(entry.text) },
  );
  const puts: PutEntry[] = [];
  for (let start = 0, group = 0; start < users.length; group += 1) {
    const { size, aggregate } = groups[group % groups.length] ?? { size: 1, aggregate: false };
    const chunk = users.slice(start, start + size);
    start += chunk.length;
    if (aggregate) puts.push({ partitionKey: 'aggregate', data: aggregateRecords(chunk) });
    else puts.push(...chunk);
  }
  return puts;
};

/** A sink that applies each stream's versions once, in order, and notes any gap it sees. */
const idempotentSink = () => {
  const last = new Map<string, number>();
  const applied: string[] = [];
  const violations: string[] = [];
  const apply = ({ commit }: DeliveredCommit) => {
    const known = last.get(commit.streamId) ?? 0;
    if (commit.toVersion <= known) return; // redelivered or published twice
    if (commit.fromVersion !== known + 1) {
      violations.push(`${commit.streamId}@${commit.fromVersion} arrived after ${known}`);
      throw new Error(violations.at(-1));
    }
    for (const event of commit.events)
      applied.push(`${commit.streamId}@${event.version}:${JSON.stringify(event.data)}`);
    last.set(commit.streamId, commit.toVersion);
  };
  return { last, applied, violations, apply };
};

it('an idempotent sink ends in the state of one clean pass (fast-check)', async () => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);
  console.log(`kinesis handler property seed: ${seed} (rerun with FC_SEED=${seed})`);
  await fc.assert(
    fc.asyncProperty(logSpec, deliverySpec, async (spec, delivery) => {
      const entries = buildEntries(spec);
      const streamName = await createTestStream(aws.kinesis);
      await putRecords(aws.kinesis, streamName, toPutEntries(entries, spec.groups));
      const records = await readLambdaRecords(aws.kinesis, streamName);

      // One clean pass: one batch, nothing fails.
      const clean = idempotentSink();
      const cleanQuarantined = new Set<string>();
      const cleanHandler = createKinesisHandler({
        eventTypes,
        logger: recordingLogger(),
        sink: async (commits) => {
          for (const commit of commits) clean.apply(commit);
        },
        quarantine: (entry) => {
          cleanQuarantined.add(`${entry.sequenceNumber}/${entry.subSequenceNumber ?? '-'}`);
        },
      });
      expect((await cleanHandler(lambdaEvent(records))).batchItemFailures).toEqual([]);
      expect(clean.violations).toEqual([]);
      expect(cleanQuarantined.size).toBe(spec.garbage.length);

      // The same log through failures, retries and redeliveries.
      const sinkDecisions = [...delivery.sinkDecisions];
      const quarantineFailures = [...delivery.quarantineFailures];
      const rewinds = [...delivery.rewinds];
      const state = idempotentSink();
      const quarantined = new Set<string>();
      const handler = createKinesisHandler({
        eventTypes,
        logger: recordingLogger(),
        ...(delivery.maxBatchSize === undefined ? {} : { maxBatchSize: delivery.maxBatchSize }),
        sink: async (commits) => {
          const decision = sinkDecisions.shift() ?? { kind: 'ok', at: 0 };
          const k = decision.at % (commits.length + 1);
          switch (decision.kind) {
            case 'ok':
              for (const commit of commits) state.apply(commit);
              return undefined;
            case 'throw':
              throw new Error('sink unavailable');
            case 'partial':
              for (const commit of commits.slice(0, k)) state.apply(commit);
              return { handled: k };
            case 'partialThrow':
              for (const commit of commits.slice(0, k)) state.apply(commit);
              throw new Error('sink failed midway');
          }
        },
        quarantine: async (entry) => {
          if (quarantineFailures.shift() === true) throw new Error('dead-letter store unavailable');
          quarantined.add(`${entry.sequenceNumber}/${entry.subSequenceNumber ?? '-'}`);
        },
      });

      let position = 0;
      let invocations = 0;
      while (position < records.length) {
        invocations += 1;
        if (invocations > 1_000) throw new Error('the delivery loop does not end');
        const size =
          delivery.batchSizes[invocations % delivery.batchSizes.length] ?? records.length;
        const batch = records.slice(position, position + size);
        const failed = (await handler(lambdaEvent(batch))).batchItemFailures.map(
          (failure) => failure.itemIdentifier,
        );
        expect(state.violations).toEqual([]);
        if (failed.length === 0) {
          position = Math.max(0, position + batch.length - (rewinds.shift() ?? 0));
          continue;
        }
        // The reported records are exactly a suffix of the batch: the first failure and the rest.
        const first = batch.findIndex(
          (record: KinesisStreamRecord) => record.kinesis.sequenceNumber === failed[0],
        );
        expect(first).toBeGreaterThanOrEqual(0);
        expect(failed).toEqual(batch.slice(first).map((record) => record.kinesis.sequenceNumber));
        position += first; // Lambda retries from the lowest reported sequence number
      }
      expect(state.applied).toEqual(clean.applied);
      expect([...state.last]).toEqual([...clean.last]);
      expect([...quarantined].sort()).toEqual([...cleanQuarantined].sort());
    }),
    { seed, numRuns: Number(process.env.FC_RUNS ?? 40) },
  );
});
