import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueResourceName } from '../internal/unique-names.js';
import { connectLocalAws } from '../local-aws.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
const TableName = uniqueResourceName('heads');

beforeAll(async () => {
  await aws.dynamodb.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'streamId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }],
    }),
  );
});
afterAll(() => aws.destroy());

describe('DynamoDB Local through the real DynamoDBClient', () => {
  it('is the DynamoDB of the shared set', () => {
    expect(aws.endpoints.dynamodb?.emulator).toBe('dynamodb-local');
  });

  it('reports which condition cancelled a TransactWriteItems, with the old item', async () => {
    await aws.dynamodb.send(
      new PutItemCommand({ TableName, Item: { streamId: { S: 'b' }, version: { N: '3' } } }),
    );
    const transaction = aws.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: { streamId: { S: 'a' }, version: { N: '1' } },
              ConditionExpression: 'attribute_not_exists(streamId)',
            },
          },
          {
            Put: {
              TableName,
              Item: { streamId: { S: 'b' }, version: { N: '4' } },
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': { N: '2' } },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );
    const error = await transaction.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    expect(reasons.map((reason) => reason.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(reasons[1]?.Item?.version).toEqual({ N: '3' });
    // All or nothing: the first put did not happen.
    const a = await aws.dynamodb.send(
      new GetItemCommand({ TableName, Key: { streamId: { S: 'a' } } }),
    );
    expect(a.Item).toBeUndefined();
  });

  it('returns the old item of a failed conditional write', async () => {
    await aws.dynamodb.send(
      new PutItemCommand({ TableName, Item: { streamId: { S: 'c' }, version: { N: '7' } } }),
    );
    const error = await aws.dynamodb
      .send(
        new PutItemCommand({
          TableName,
          Item: { streamId: { S: 'c' }, version: { N: '8' } },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': { N: '6' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect((error as ConditionalCheckFailedException).Item?.version).toEqual({ N: '7' });
  });
});
