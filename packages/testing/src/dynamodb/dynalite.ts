import type { Server } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { listenInProcess } from '../internal/in-process-server.js';
import type { LocalEmulator } from '../internal/local-emulator.js';

/**
 * Options of {@link startDynalite}.
 *
 * @example
 * ```ts
 * const options: DynaliteOptions = { port: 8000 }; // default: a free port
 * const dynamodb = await startDynalite(options);
 * ```
 */
export interface DynaliteOptions {
  /** The port to listen on on 127.0.0.1; by default the OS picks a free one. */
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

/**
 * The DynamoDB operations dynalite 4.0.0 implements: one per module in its `actions/` directory
 * (the list its `index.js` accepts in `X-Amz-Target`). {@link guardDynalite} lets only these
 * through. Update it together with the pinned dynalite version.
 *
 * @example
 * ```ts
 * DYNALITE_SUPPORTED_OPERATIONS.has('Query'); // true
 * DYNALITE_SUPPORTED_OPERATIONS.has('TransactWriteItems'); // false: guarded clients reject it
 * ```
 */
export const DYNALITE_SUPPORTED_OPERATIONS: ReadonlySet<string> = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'ListTagsOfResource',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'UpdateItem',
  'UpdateTable',
]);

/**
 * Thrown (as the rejection of `client.send`) when a client guarded by {@link guardDynalite} uses
 * something dynalite lacks; nothing was sent. `feature` names it: the operation
 * (`TransactWriteItems`) or the parameter (`ReturnValuesOnConditionCheckFailure (in PutItem)`).
 *
 * @example
 * ```ts
 * try {
 *   await client.send(new TransactWriteItemsCommand(input));
 * } catch (error) {
 *   if (error instanceof EmulatorUnsupportedError) console.warn(error.feature); // 'TransactWriteItems'
 *   throw error;
 * }
 * ```
 */
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
 * dynalite would not handle like DynamoDB: every operation outside
 * {@link DYNALITE_SUPPORTED_OPERATIONS} (transactions, PartiQL, UpdateTimeToLive, streams,
 * backups, DescribeLimits, …), `ReturnValuesOnConditionCheckFailure`, and tables created or
 * updated with a stream. Returns the same client.
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
      if (!DYNALITE_SUPPORTED_OPERATIONS.has(operation)) {
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
