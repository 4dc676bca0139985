import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ResultAsync, StoreError } from '@tributary/core';
import { createTableAndWait } from './create-table.js';

/**
 * The layout of a stream-head table as plain data, for CloudFormation, CDK or Terraform:
 * - partition key `streamId` (S), one item per stream, on-demand capacity;
 * - the sparse global secondary index `pendingSince-index`, partition key `pendingSince` (S).
 *   Only heads with an unpublished commit have `pendingSince`, so the index holds exactly those
 *   and stays small. Each head has its own timestamp as index key, which spreads index writes
 *   instead of sending every head write to one hot index partition; the sweeper scans the
 *   (small) index and sorts client-side. The index projects what a sweeper needs to publish
 *   (the pending commit, `lastPosition`, the version and the commands) but not the state,
 *   so a head write does not copy a state of up to 400 KB into the index.
 *
 * @example
 * ```ts
 * import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
 * const s = streamHeadTableSchema;
 * const heads = new Table(this, 'StreamHeads', {
 *   partitionKey: { name: s.partitionKey.name, type: s.partitionKey.type as AttributeType },
 *   billingMode: BillingMode.PAY_PER_REQUEST,
 * });
 * heads.addGlobalSecondaryIndex({
 *   indexName: s.pendingIndex.indexName,
 *   partitionKey: { name: s.pendingIndex.partitionKey.name, type: s.pendingIndex.partitionKey.type as AttributeType },
 *   projectionType: s.pendingIndex.projectionType as ProjectionType,
 *   nonKeyAttributes: [...s.pendingIndex.nonKeyAttributes],
 * });
 * ```
 */
export const streamHeadTableSchema = {
  partitionKey: { name: 'streamId', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  pendingIndex: {
    indexName: 'pendingSince-index',
    partitionKey: { name: 'pendingSince', type: 'S' },
    projectionType: 'INCLUDE',
    nonKeyAttributes: ['version', 'pending', 'pendingEncoding', 'lastPosition', 'recentCommands'],
  },
} as const;

/**
 * The `CreateTable` input of a stream-head table named `tableName` (see
 * {@link streamHeadTableSchema} for the layout and why).
 *
 * @example
 * ```ts
 * await client.send(new CreateTableCommand(streamHeadTableDefinition('stream-heads')));
 * ```
 */
export const streamHeadTableDefinition = (tableName: string): CreateTableCommandInput => {
  const { partitionKey, billingMode, pendingIndex } = streamHeadTableSchema;
  return {
    TableName: tableName,
    BillingMode: billingMode,
    AttributeDefinitions: [
      { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
      {
        AttributeName: pendingIndex.partitionKey.name,
        AttributeType: pendingIndex.partitionKey.type,
      },
    ],
    KeySchema: [{ AttributeName: partitionKey.name, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: pendingIndex.indexName,
        KeySchema: [{ AttributeName: pendingIndex.partitionKey.name, KeyType: 'HASH' }],
        Projection: {
          ProjectionType: pendingIndex.projectionType,
          NonKeyAttributes: [...pendingIndex.nonKeyAttributes],
        },
      },
    ],
  };
};

/**
 * Options of {@link createStreamHeadTable}.
 *
 * @example
 * ```ts
 * await createStreamHeadTable(client, 'heads', { maxWaitSeconds: 10 });
 * ```
 */
export interface CreateStreamHeadTableOptions {
  /** How long to wait for the table to become ACTIVE, in seconds (default 60). */
  readonly maxWaitSeconds?: number;
}

/**
 * Creates a stream-head table and waits until it is ACTIVE: for tests, local runs and scripts
 * (deploy production tables with CloudFormation or CDK). Idempotent: a table that already
 * exists is waited for, not an error.
 *
 * Failure behaviour: a `StoreError` (`Unavailable` for throttling and network failures,
 * `Unexpected` for anything else, such as a timeout waiting for ACTIVE).
 *
 * @example
 * ```ts
 * await createStreamHeadTable(new DynamoDBClient({ endpoint: 'http://localhost:8000' }), 'heads');
 * ```
 */
export const createStreamHeadTable = (
  client: DynamoDBClient,
  tableName: string,
  options: CreateStreamHeadTableOptions = {},
): ResultAsync<void, StoreError> =>
  createTableAndWait(client, streamHeadTableDefinition(tableName), options.maxWaitSeconds);
