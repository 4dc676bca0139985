import { createHash } from 'node:crypto';
import { err, ok, type Result } from '@tributary/core';
import { ProtobufError, ProtobufReader, WireType } from './protobuf-reader.js';

/**
 * The four bytes every record aggregated by the Kinesis Producer Library starts with.
 * Source: amazon-kinesis-producer, `aggregation-format.md`.
 *
 * @example
 * ```ts
 * Buffer.from(KPL_MAGIC).toString('hex'); // 'f3899ac2'
 * ```
 */
export const KPL_MAGIC: Uint8Array = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);

/** An aggregated record ends with the 16-byte MD5 digest of its protobuf part. */
const KPL_DIGEST_BYTES = 16;

/**
 * One user record: a whole Kinesis record, or one record packed inside a KPL aggregate.
 *
 * @example
 * ```ts
 * for (const user of deaggregate(bytes, partitionKey).unwrapOr([])) decodeCommit(user.data);
 * ```
 */
export interface UserRecord {
  /** The user record's own partition key (from the aggregate's table for sub-records). */
  readonly partitionKey: string;
  /** The explicit hash key the producer gave, if any. */
  readonly explicitHashKey?: string;
  /** Position inside the aggregate; absent for a record that was not aggregated. */
  readonly subSequenceNumber?: number;
  readonly data: Uint8Array;
}

/**
 * Why an aggregated record cannot be de-aggregated.
 *
 * @example
 * ```ts
 * const unpacked = deaggregate(bytes, partitionKey);
 * if (unpacked.isErr() && unpacked.error.reason === 'AggregateChecksumMismatch') alarm();
 * ```
 */
export type DeaggregationFailure =
  /** The MD5 digest at the end does not match the protobuf part: the record is corrupt. */
  | 'AggregateChecksumMismatch'
  /** The protobuf part is not a valid `AggregatedRecord`. */
  | 'MalformedAggregate';

/**
 * A record that starts with the KPL magic number but cannot be unpacked.
 *
 * @example
 * ```ts
 * deaggregate(corrupt, 'pk').mapErr((error) => console.warn(error.reason, error.message));
 * ```
 */
export interface DeaggregationError {
  readonly kind: 'DeaggregationError';
  readonly reason: DeaggregationFailure;
  readonly message: string;
}

const failure = (reason: DeaggregationFailure, message: string): DeaggregationError => ({
  kind: 'DeaggregationError',
  reason,
  message,
});

/**
 * Tells whether record data is a KPL aggregate (starts with {@link KPL_MAGIC}).
 *
 * @example
 * ```ts
 * isAggregated(Buffer.from(record.kinesis.data, 'base64')); // true for KPL output
 * ```
 */
export const isAggregated = (data: Uint8Array): boolean =>
  data.length >= KPL_MAGIC.length && KPL_MAGIC.every((byte, index) => data[index] === byte);

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface RawSubRecord {
  partitionKeyIndex?: number;
  explicitHashKeyIndex?: number;
  data?: Uint8Array;
}

// message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
//                  required bytes data = 3; repeated Tag tags = 4; }
const readSubRecord = (bytes: Uint8Array): RawSubRecord => {
  const reader = new ProtobufReader(bytes);
  const record: RawSubRecord = {};
  while (!reader.done) {
    const { field, wireType } = reader.readKey();
    if (field === 1 && wireType === WireType.Varint) record.partitionKeyIndex = reader.readVarint();
    else if (field === 2 && wireType === WireType.Varint)
      record.explicitHashKeyIndex = reader.readVarint();
    else if (field === 3 && wireType === WireType.LengthDelimited) record.data = reader.readBytes();
    else if (field <= 3) throw new ProtobufError(`field ${field} has wire type ${wireType}`);
    else reader.skip(wireType); // tags, and fields a newer KPL may add
  }
  return record;
};

// message AggregatedRecord { repeated string partition_key_table = 1;
//                            repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
const readAggregate = (bytes: Uint8Array, start: number, end: number): UserRecord[] => {
  const reader = new ProtobufReader(bytes, start, end);
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const subRecords: RawSubRecord[] = [];
  while (!reader.done) {
    const { field, wireType } = reader.readKey();
    if (field <= 3 && wireType !== WireType.LengthDelimited) {
      throw new ProtobufError(`field ${field} has wire type ${wireType}`);
    }
    if (field === 1) partitionKeys.push(utf8.decode(reader.readBytes()));
    else if (field === 2) explicitHashKeys.push(utf8.decode(reader.readBytes()));
    else if (field === 3) subRecords.push(readSubRecord(reader.readBytes()));
    else reader.skip(wireType);
  }
  if (subRecords.length === 0) throw new ProtobufError('the aggregate holds no records');
  return subRecords.map((record, index) => {
    if (record.partitionKeyIndex === undefined || record.data === undefined) {
      throw new ProtobufError(`record ${index} lacks its partition key index or its data`);
    }
    const partitionKey = partitionKeys[record.partitionKeyIndex];
    if (partitionKey === undefined) {
      throw new ProtobufError(
        `record ${index} refers to partition key ${record.partitionKeyIndex} of ${partitionKeys.length}`,
      );
    }
    let explicitHashKey: string | undefined;
    if (record.explicitHashKeyIndex !== undefined) {
      explicitHashKey = explicitHashKeys[record.explicitHashKeyIndex];
      if (explicitHashKey === undefined) {
        throw new ProtobufError(
          `record ${index} refers to explicit hash key ${record.explicitHashKeyIndex} of ${explicitHashKeys.length}`,
        );
      }
    }
    return {
      partitionKey,
      ...(explicitHashKey === undefined ? {} : { explicitHashKey }),
      subSequenceNumber: index,
      data: record.data,
    };
  });
};

/**
 * Unpacks one Kinesis record's data into its user records. Data without the KPL magic number is
 * one user record (no `subSequenceNumber`); a KPL aggregate (magic, protobuf `AggregatedRecord`,
 * MD5 of the protobuf part) gives its records in order, numbered from 0. The digest is always
 * checked. Never throws: a corrupt aggregate is a {@link DeaggregationError}.
 *
 * @example
 * ```ts
 * const unpacked = deaggregate(Buffer.from(record.kinesis.data, 'base64'), record.kinesis.partitionKey);
 * if (unpacked.isOk()) for (const user of unpacked.value) console.log(user.subSequenceNumber, user.data.length);
 * ```
 */
export const deaggregate = (
  data: Uint8Array,
  partitionKey: string,
): Result<UserRecord[], DeaggregationError> => {
  if (!isAggregated(data)) return ok([{ partitionKey, data }]);
  const end = data.length - KPL_DIGEST_BYTES;
  if (end < KPL_MAGIC.length) {
    return err(
      failure(
        'MalformedAggregate',
        `aggregated record of ${data.length} bytes has no room for its digest`,
      ),
    );
  }
  const digest = createHash('md5').update(data.subarray(KPL_MAGIC.length, end)).digest();
  if (!digest.equals(data.subarray(end))) {
    return err(
      failure(
        'AggregateChecksumMismatch',
        `aggregated record's MD5 ${Buffer.from(data.subarray(end)).toString('hex')} does not match its content's ${digest.toString('hex')}`,
      ),
    );
  }
  try {
    return ok(readAggregate(data, KPL_MAGIC.length, end));
  } catch (cause) {
    if (!(cause instanceof ProtobufError) && !(cause instanceof TypeError)) throw cause;
    // TextDecoder's fatal mode reports invalid UTF-8 in a key as a TypeError.
    return err(failure('MalformedAggregate', `invalid aggregated record: ${cause.message}`));
  }
};
