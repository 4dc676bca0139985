import type { Server } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { listenInProcess } from '../internal/in-process-server.js';
import type { LocalEmulator } from '../internal/local-emulator.js';

/** Options of {@link startDynalite}. */
export interface DynaliteOptions {
  readonly port?: number;
}

/**
 * Starts dynalite in this process: a DynamoDB emulator that is ready in ~20 ms but has no
 * transactions, streams or TTL and ignores ReturnValuesOnConditionCheckFailure. Clients made for
 * it should go through {@link guardDynalite}, so that using what it lacks fails loudly instead of
 * behaving differently from DynamoDB. Prefer {@link startDynamoDbLocal} unless speed matters
 * more than fidelity.
 *
 * @example
 * ```ts
 * const dynamodb = await startDynalite();
 * const client = guardDynalite(new DynamoDBClient(localClientConfig(dynamodb.endpoint)));
 * ```
 */
export const startDynalite = async (options: DynaliteOptions = {}): Promise<LocalEmulator> => {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return listenInProcess('dynalite', server, options.port);
};

/** Operations dynalite does not implement. */
export const DYNALITE_UNSUPPORTED_COMMANDS: ReadonlySet<string> = new Set([
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
  'ExecuteStatementCommand',
  'BatchExecuteStatementCommand',
  'ExecuteTransactionCommand',
  'UpdateTimeToLiveCommand',
  'DescribeTimeToLiveCommand',
  'DescribeStreamCommand',
  'GetShardIteratorCommand',
  'GetRecordsCommand',
  'ListStreamsCommand',
  'ExportTableToPointInTimeCommand',
  'ImportTableCommand',
]);

/** Thrown when a client guarded by {@link guardDynalite} uses something dynalite lacks. */
export class EmulatorUnsupportedError extends Error {
  override readonly name = 'EmulatorUnsupportedError';
  constructor(
    readonly emulator: string,
    readonly feature: string,
  ) {
    super(
      `${emulator} does not support ${feature}; start DynamoDB Local instead (startLocalAws({ dynamodb: 'dynamodb-local' }), needs Java 17+)`,
    );
  }
}

const usesConditionCheckReturnValues = (input: unknown): boolean =>
  JSON.stringify(input ?? {}).includes('"ReturnValuesOnConditionCheckFailure"');

const usesStreams = (commandName: string, input: unknown): boolean =>
  (commandName === 'CreateTableCommand' || commandName === 'UpdateTableCommand') &&
  JSON.stringify(input ?? {}).includes('"StreamEnabled":true');

/**
 * Makes a DynamoDB client fail with {@link EmulatorUnsupportedError} before it sends anything
 * dynalite would not handle like DynamoDB: transactions, PartiQL, TTL, streams and
 * `ReturnValuesOnConditionCheckFailure`. Returns the same client.
 *
 * @example
 * ```ts
 * const client = guardDynalite(new DynamoDBClient(localClientConfig(endpoint)));
 * await client.send(new TransactWriteItemsCommand(...)); // rejects: dynalite does not support TransactWriteItems
 * ```
 */
export const guardDynalite = (client: DynamoDBClient): DynamoDBClient => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      const operation = commandName.replace(/Command$/, '');
      if (DYNALITE_UNSUPPORTED_COMMANDS.has(commandName)) {
        throw new EmulatorUnsupportedError('dynalite', operation);
      }
      if (usesConditionCheckReturnValues(args.input)) {
        throw new EmulatorUnsupportedError(
          'dynalite',
          `ReturnValuesOnConditionCheckFailure (in ${operation})`,
        );
      }
      if (usesStreams(commandName, args.input)) {
        throw new EmulatorUnsupportedError('dynalite', `DynamoDB Streams (in ${operation})`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'tributaryDynaliteGuard', priority: 'high' },
  );
  return client;
};
