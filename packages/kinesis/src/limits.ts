/**
 * Kinesis Data Streams limits the event store checks before it writes anything.
 * Source: Amazon Kinesis Data Streams Developer Guide, "Quotas and limits", and the
 * PutRecord API reference.
 */

/** A record's data blob plus its partition key may be at most 1 MiB. */
export const MAX_KINESIS_RECORD_BYTES = 1_048_576;

/** A partition key is 1 to 256 Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;
