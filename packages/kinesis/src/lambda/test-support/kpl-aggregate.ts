// Test support: a small KPL aggregator (the wire format of amazon-kinesis-producer's
// aggregation-format.md), to produce aggregated records the way the KPL does.
import { createHash } from 'node:crypto';
import { KPL_MAGIC } from '../kpl-deaggregation.js';

const varint = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
};

const key = (field: number, wireType: number) => varint(field * 8 + wireType);

const lengthDelimited = (field: number, bytes: Uint8Array): Uint8Array =>
  Buffer.concat([Uint8Array.from([...key(field, 2), ...varint(bytes.length)]), bytes]);

const utf8 = (text: string) => new TextEncoder().encode(text);

export interface AggregateEntry {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Uint8Array;
}

/** Packs user records into one KPL aggregated record: magic, protobuf AggregatedRecord, MD5. */
export const aggregateRecords = (
  entries: readonly AggregateEntry[],
  options: { readonly corruptChecksum?: boolean; readonly withTags?: boolean } = {},
): Uint8Array => {
  const partitionKeys: string[] = [];
  const hashKeys: string[] = [];
  const indexOf = (table: string[], value: string) => {
    const found = table.indexOf(value);
    if (found !== -1) return found;
    table.push(value);
    return table.length - 1;
  };
  const records = entries.map((entry) => {
    const parts: Uint8Array[] = [
      Uint8Array.from([...key(1, 0), ...varint(indexOf(partitionKeys, entry.partitionKey))]),
    ];
    if (entry.explicitHashKey !== undefined) {
      parts.push(
        Uint8Array.from([...key(2, 0), ...varint(indexOf(hashKeys, entry.explicitHashKey))]),
      );
    }
    parts.push(lengthDelimited(3, entry.data));
    // message Tag { required string key = 1; optional string value = 2; }: readers must skip it.
    if (options.withTags === true) {
      parts.push(
        lengthDelimited(
          4,
          Buffer.concat([lengthDelimited(1, utf8('source')), lengthDelimited(2, utf8('test'))]),
        ),
      );
    }
    return lengthDelimited(3, Buffer.concat(parts));
  });
  const message = Buffer.concat([
    ...partitionKeys.map((partitionKey) => lengthDelimited(1, utf8(partitionKey))),
    ...hashKeys.map((hashKey) => lengthDelimited(2, utf8(hashKey))),
    ...records,
  ]);
  const digest = createHash('md5').update(message).digest();
  if (options.corruptChecksum === true) digest[0] = (digest[0] ?? 0) ^ 0xff;
  return Buffer.concat([KPL_MAGIC, message, digest]);
};
