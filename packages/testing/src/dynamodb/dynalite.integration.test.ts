import {
  CreateTableCommand,
  DescribeLimitsCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../internal/local-client-config.js';
import type { LocalEmulator } from '../internal/local-emulator.js';
import { EmulatorUnsupportedError, guardDynalite, startDynalite } from './dynalite.js';

let emulator: LocalEmulator;
let client: DynamoDBClient;
const TableName = 'items';

beforeAll(async () => {
  emulator = await startDynalite();
  client = guardDynalite(new DynamoDBClient(localClientConfig(emulator.endpoint)));
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
});
afterAll(async () => {
  client.destroy();
  await emulator.stop();
});

describe('dynalite behind the guard', () => {
  it('serves what it supports', async () => {
    await client.send(new PutItemCommand({ TableName, Item: { id: { S: '1' }, n: { N: '5' } } }));
    const got = await client.send(new GetItemCommand({ TableName, Key: { id: { S: '1' } } }));
    expect(got.Item?.n).toEqual({ N: '5' });
  });

  it('refuses a transaction with an error that says dynalite lacks it, before sending anything', async () => {
    const error = await client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName, Item: { id: { S: '2' } } } }],
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmulatorUnsupportedError);
    expect((error as Error).message).toMatch(/dynalite does not support TransactWriteItems/);
    const got = await client.send(new GetItemCommand({ TableName, Key: { id: { S: '2' } } }));
    expect(got.Item).toBeUndefined();
  });

  it('refuses any operation dynalite does not implement, naming it', async () => {
    const error = await client
      .send(new DescribeLimitsCommand({}))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmulatorUnsupportedError);
    expect((error as EmulatorUnsupportedError).feature).toBe('DescribeLimits');
    expect((error as Error).message).toMatch(/^dynalite does not support DescribeLimits;/);
  });

  it('lets through the operations dynalite implements, such as DescribeTimeToLive', async () => {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName }));
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });

  it('refuses a table with a stream, which dynalite would create without one', async () => {
    const error = await client
      .send(
        new CreateTableCommand({
          TableName: 'streamed',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmulatorUnsupportedError);
    expect((error as Error).message).toContain('DynamoDB Streams (in CreateTable)');
  });

  it('refuses ReturnValuesOnConditionCheckFailure, which dynalite would ignore', async () => {
    const error = await client
      .send(
        new PutItemCommand({
          TableName,
          Item: { id: { S: '1' } },
          ConditionExpression: 'attribute_not_exists(id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmulatorUnsupportedError);
    expect((error as Error).message).toContain('ReturnValuesOnConditionCheckFailure');
  });
});
