import { randomBytes } from 'node:crypto';

/**
 * A name no other test in this run (or a parallel run against the same backend) uses, within the
 * character rules of Kinesis stream names, DynamoDB table names, S3 bucket names (lower case) and
 * SQL identifiers.
 *
 * @example
 * ```ts
 * const table = uniqueResourceName('heads'); // "heads-m3x1k2-9f3a1c2b"
 * ```
 */
export const uniqueResourceName = (prefix: string): string =>
  `${prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
