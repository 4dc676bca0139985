import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { err, ok, type Result } from '@tributary/core';

/**
 * How a JSON payload (a head's state, its pending commit) is stored:
 * - `json`: the JSON text as a string attribute (`S`), readable in the console;
 * - `deflate`: the UTF-8 JSON compressed with raw DEFLATE (zlib `deflateRaw`, RFC 1951, no
 *   header) as a binary attribute (`B`). Raw DEFLATE is in every zlib, so any language can read
 *   it, and it saves the 6 bytes of zlib or 18 of gzip framing that DynamoDB would bill.
 *
 * @example
 * ```ts
 * const compressed = item.stateEncoding?.S === ('deflate' satisfies PayloadEncoding);
 * ```
 */
export type PayloadEncoding = 'json' | 'deflate';

/** Payloads whose JSON is larger than this many UTF-8 bytes are compressed by default: 8 KiB. *
 * @example
 * ```ts
 * new DynamoDBStreamHeadStore({ client, tableName, compressionThreshold: 4 * DEFAULT_COMPRESSION_THRESHOLD });
 * ```
 */
export const DEFAULT_COMPRESSION_THRESHOLD = 8 * 1024;

/**
 * The largest payload inflated when reading: a guard against a corrupt or hostile item that
 * would inflate to gigabytes. A 400 KB item of compressed JSON stays far below it.
 */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** A payload ready to store: the attribute value and its encoding. */
export interface EncodedPayload {
  readonly encoding: PayloadEncoding;
  readonly value: AttributeValue;
}

/**
 * Turns a value into JSON, compressed when its UTF-8 size exceeds `threshold`. Fails with a
 * reason when the value has no JSON form (a `bigint`, a cycle). `undefined` is stored as `null`.
 */
export const encodePayload = (
  value: unknown,
  threshold: number,
): Result<EncodedPayload, string> => {
  let json: string;
  try {
    json = JSON.stringify(value) ?? 'null';
  } catch (error) {
    return err(`it cannot be written as JSON (${error instanceof Error ? error.message : error})`);
  }
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.byteLength <= threshold) return ok({ encoding: 'json', value: { S: json } });
  return ok({ encoding: 'deflate', value: { B: new Uint8Array(deflateRawSync(bytes)) } });
};

/** Reads a stored payload back; fails with a reason when it cannot be inflated or parsed. */
export const decodePayload = (
  value: { readonly S: string } | { readonly B: Uint8Array },
  encoding: PayloadEncoding,
): Result<unknown, string> => {
  let json: string;
  if (encoding === 'json') {
    if (!('S' in value)) return err('encoding json needs a string (S) attribute');
    json = value.S;
  } else {
    if (!('B' in value)) return err('encoding deflate needs a binary (B) attribute');
    try {
      json = inflateRawSync(value.B, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    } catch (error) {
      return err(`it cannot be inflated (${error instanceof Error ? error.message : error})`);
    }
  }
  try {
    return ok(JSON.parse(json) as unknown);
  } catch (error) {
    return err(`it is not JSON (${error instanceof Error ? error.message : error})`);
  }
};
