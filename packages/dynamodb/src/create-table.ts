import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  err,
  ok,
  type Result,
  type ResultAsync,
  type StoreError,
  storeError,
} from '@tributary/core';
import { attempt, attemptOrFail } from './async-result.js';
import { awsStoreError, errorName } from './errors.js';

/**
 * Creates a table from its definition unless it exists, then waits until it is ACTIVE. Shared by
 * the helpers that create the package's tables for tests and local runs.
 */
export const createTableAndWait = (
  client: DynamoDBClient,
  definition: CreateTableCommandInput,
  maxWaitSeconds = 60,
): ResultAsync<void, StoreError> => {
  const tableName = definition.TableName ?? '';
  return attempt(
    async () => {
      await client.send(new CreateTableCommand(definition));
    },
    (error): Result<void, StoreError> =>
      errorName(error) === 'ResourceInUseException'
        ? ok(undefined)
        : err(awsStoreError(error, `creating table ${tableName}`)),
  ).andThen(() =>
    attemptOrFail(
      async () => {
        await waitUntilTableExists(
          { client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 },
          { TableName: tableName },
        );
      },
      (error) =>
        storeError('Unexpected', `table ${tableName} did not become ACTIVE`, { cause: error }),
    ),
  );
};
