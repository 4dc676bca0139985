import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ResultAsync, StoreError } from '@tributary/core';
import { createTableAndWait } from './create-table.js';

/**
 * The layout of a consumer table as plain data, for CloudFormation, CDK or Terraform: partition
 * key `consumer` (S), sort key `partition` (S), on-demand capacity. One item per consumer and
 * partition (a Kinesis shard) holds both that partition's checkpoint and its lease, so listing a
 * consumer's checkpoints or leases is one `Query`, and a checkpoint write can be fenced by the
 * lease in the same item.
 *
 * @example
 * ```ts
 * import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
 * const s = consumerTableSchema;
 * const consumers = new Table(this, 'Consumers', {
 *   partitionKey: { name: s.partitionKey.name, type: s.partitionKey.type as AttributeType },
 *   sortKey: { name: s.sortKey.name, type: s.sortKey.type as AttributeType },
 *   billingMode: BillingMode.PAY_PER_REQUEST,
 * });
 * ```
 */
export const consumerTableSchema = {
  partitionKey: { name: 'consumer', type: 'S' },
  sortKey: { name: 'partition', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
} as const;

/**
 * The `CreateTable` input of a consumer table named `tableName` (see {@link consumerTableSchema}
 * for the layout).
 *
 * @example
 * ```ts
 * await client.send(new CreateTableCommand(consumerTableDefinition('consumers')));
 * ```
 */
export const consumerTableDefinition = (tableName: string): CreateTableCommandInput => {
  const { partitionKey, sortKey, billingMode } = consumerTableSchema;
  return {
    TableName: tableName,
    BillingMode: billingMode,
    AttributeDefinitions: [
      { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
      { AttributeName: sortKey.name, AttributeType: sortKey.type },
    ],
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
  };
};

/**
 * Options of {@link createConsumerTable}.
 *
 * @example
 * ```ts
 * await createConsumerTable(client, 'consumers', { maxWaitSeconds: 10 });
 * ```
 */
export interface CreateConsumerTableOptions {
  /** How long to wait for the table to become ACTIVE, in seconds (default 60). */
  readonly maxWaitSeconds?: number;
}

/**
 * Creates a consumer table (checkpoints and leases) and waits until it is ACTIVE: for tests,
 * local runs and scripts (deploy production tables with CloudFormation or CDK). Idempotent: a
 * table that already exists is waited for, not an error.
 *
 * Failure behaviour: a `StoreError` (`Unavailable` for throttling and network failures,
 * `Unexpected` for anything else, such as a timeout waiting for ACTIVE).
 *
 * @example
 * ```ts
 * await createConsumerTable(new DynamoDBClient({ endpoint: 'http://localhost:8000' }), 'consumers');
 * ```
 */
export const createConsumerTable = (
  client: DynamoDBClient,
  tableName: string,
  options: CreateConsumerTableOptions = {},
): ResultAsync<void, StoreError> =>
  createTableAndWait(client, consumerTableDefinition(tableName), options.maxWaitSeconds);
