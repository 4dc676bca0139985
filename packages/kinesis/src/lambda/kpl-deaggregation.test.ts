import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deaggregate, isAggregated, KPL_MAGIC } from './kpl-deaggregation.js';
import { aggregateRecords } from './test-support/kpl-aggregate.js';
import { referenceDeaggregate } from './test-support/reference-deaggregator.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Ours, in the reference's shape (base64 data). */
const ours = (data: Uint8Array, partitionKey: string) => {
  const result = deaggregate(data, partitionKey);
  return result.isErr()
    ? { error: result.error.reason, records: [] }
    : {
        records: result.value.map((record) => ({
          ...record,
          data: Buffer.from(record.data).toString('base64'),
        })),
      };
};
const reference = (data: Uint8Array, partitionKey: string) =>
  referenceDeaggregate({
    data: Buffer.from(data).toString('base64'),
    partitionKey,
    sequenceNumber: '1',
  });

/**
 * Compares ours with the reference. One known difference: for a sub-record without
 * `explicit_hash_key_index`, aws-kinesis-agg reads protobufjs's default (0) and reports the
 * table's first key; proto2 says the field is absent, and so do we. Those keys are left out of
 * the comparison (and checked against the input where the test knows it).
 */
const expectSameAsReference = (data: Uint8Array, partitionKey: string) => {
  const mine = ours(data, partitionKey);
  const theirs = reference(data, partitionKey);
  expect(mine.records).toHaveLength(theirs.records.length);
  expect(mine.error === undefined).toBe(theirs.error === undefined);
  expect(
    theirs.records.map((record, index) => {
      if (mine.records[index]?.explicitHashKey !== undefined) return record;
      const { explicitHashKey: _default, ...rest } = record;
      return rest;
    }),
  ).toEqual(mine.records);
  return mine;
};

/** Wraps a protobuf body in magic + MD5, as the KPL does. */
const withFrame = (body: Uint8Array) =>
  Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]);

describe('deaggregate', () => {
  it('passes a record without the magic number through as one user record', () => {
    const data = bytes('{"format":"tributary.commit"}');
    expect(isAggregated(data)).toBe(false);
    expect(ours(data, 'pk')).toEqual(reference(data, 'pk'));
    expect(deaggregate(data, 'pk')._unsafeUnwrap()).toEqual([{ partitionKey: 'pk', data }]);
  });

  it('unpacks an aggregate exactly as aws-kinesis-agg does, tags skipped', () => {
    const data = aggregateRecords(
      [
        { partitionKey: 'cart-1', data: bytes('one') },
        { partitionKey: 'cart-2', explicitHashKey: '12345', data: bytes('two') },
        { partitionKey: 'cart-1', data: new Uint8Array() },
        { partitionKey: 'ü-key', explicitHashKey: '12345', data: bytes('four') },
      ],
      { withTags: true },
    );
    expect(isAggregated(data)).toBe(true);
    const mine = expectSameAsReference(data, 'outer');
    expect(mine.records.map((record) => record.subSequenceNumber)).toEqual([0, 1, 2, 3]);
    expect(mine.records.map((record) => record.explicitHashKey)).toEqual([
      undefined,
      '12345',
      undefined,
      '12345',
    ]);
    expect(mine.records.map((record) => record.partitionKey)).toEqual([
      'cart-1',
      'cart-2',
      'cart-1',
      'ü-key',
    ]);
  });

  it('refuses a corrupted checksum, as aws-kinesis-agg does', () => {
    const data = aggregateRecords([{ partitionKey: 'a', data: bytes('x') }], {
      corruptChecksum: true,
    });
    expect(reference(data, 'a').error).toMatch(/checksum/i);
    expect(ours(data, 'a').error).toBe('AggregateChecksumMismatch');
    // A flipped bit in the content is caught by the digest too.
    const flipped = aggregateRecords([{ partitionKey: 'a', data: bytes('payload') }]);
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] ?? 0) ^ 1;
    expect(ours(flipped, 'a').error).toBe('AggregateChecksumMismatch');
    expect(reference(flipped, 'a').error).toMatch(/checksum/i);
  });

  it.each([
    ['too short for a digest', Buffer.concat([KPL_MAGIC, Buffer.alloc(3)])],
    ['a truncated varint', withFrame(Uint8Array.of(0x0a, 0x80))],
    ['a length past the end', withFrame(Uint8Array.of(0x0a, 0x05, 0x61))],
    ['a wrong wire type for records', withFrame(Uint8Array.of(0x18, 0x01))],
    ['a group wire type', withFrame(Uint8Array.of(0x23))],
    ['no records', withFrame(Uint8Array.of(0x0a, 0x01, 0x61))],
    // records[0] = { partition_key_index: 1, data: 'x' } with a table of one key
    [
      'a partition key index out of range',
      withFrame(Uint8Array.of(0x0a, 0x01, 0x61, 0x1a, 0x05, 0x08, 0x01, 0x1a, 0x01, 0x78)),
    ],
    // records[0] = { data: 'x' }: the required partition_key_index is missing
    [
      'a missing partition key index',
      withFrame(Uint8Array.of(0x0a, 0x01, 0x61, 0x1a, 0x03, 0x1a, 0x01, 0x78)),
    ],
    ['invalid UTF-8 in a key', withFrame(Uint8Array.of(0x0a, 0x01, 0xff))],
  ])('reports a malformed aggregate: %s', (_name, data) => {
    const result = deaggregate(data, 'pk');
    expect(result.isErr() && result.error.reason).toBe('MalformedAggregate');
  });

  it('agrees with aws-kinesis-agg on random aggregates (fast-check)', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);
    console.log(`kpl-deaggregation property seed: ${seed}`);
    const entry = fc.record(
      {
        partitionKey: fc.string({ minLength: 1, maxLength: 20 }),
        explicitHashKey: fc.constantFrom('0', '170141183460469231731687303715884105728'),
        data: fc.uint8Array({ maxLength: 300 }),
      },
      { requiredKeys: ['partitionKey', 'data'] },
    );
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        (entries, corrupt, withTags) => {
          const data = aggregateRecords(entries, { corruptChecksum: corrupt, withTags });
          if (corrupt) {
            expect(ours(data, 'outer').error).toBe('AggregateChecksumMismatch');
            expect(reference(data, 'outer').error).toMatch(/checksum/i);
          } else {
            const mine = expectSameAsReference(data, 'outer');
            expect(mine.records).toEqual(
              entries.map((item, index) => ({
                partitionKey: item.partitionKey,
                ...(item.explicitHashKey === undefined
                  ? {}
                  : { explicitHashKey: item.explicitHashKey }),
                subSequenceNumber: index,
                data: Buffer.from(item.data).toString('base64'),
              })),
            );
          }
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes behind the magic number', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (body, framed) => {
        const data = framed ? withFrame(body) : Buffer.concat([KPL_MAGIC, body]);
        const result = deaggregate(data, 'pk');
        // Whatever ours accepts, the reference accepts with the same user records.
        if (result.isOk()) expectSameAsReference(data, 'pk');
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
