import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * The slice of a `DynamoDBClient` the store uses: its `send`. A real client fits, and so does a
 * client wrapped by middleware or fault injection.
 *
 * @example
 * ```ts
 * const client: DynamoDBClientLike = new DynamoDBClient({ region: 'eu-west-1' });
 * ```
 */
export type DynamoDBClientLike = Pick<DynamoDBClient, 'send'>;

/**
 * Options of {@link DynamoDBStreamHeadStore}.
 *
 * @example
 * ```ts
 * const options: DynamoDBStreamHeadStoreOptions = {
 *   client: { region: 'eu-west-1' },
 *   tableName: (streamId) => `heads-${streamId.split('-')[0]}`,
 *   tables: ['heads-cart', 'heads-order'],
 * };
 * ```
 */
export interface DynamoDBStreamHeadStoreOptions {
  /**
   * A ready client (used as it is, never destroyed by the store), or the configuration of one
   * the store creates (and destroys in `close()`).
   */
  readonly client: DynamoDBClientLike | DynamoDBClientConfig;
  /**
   * The table of every head, or a function that chooses a stream's table (per tenant, per
   * aggregate type). Every table has the layout of `streamHeadTableDefinition`.
   */
  readonly tableName: string | ((streamId: string) => string);
  /**
   * The tables `listPending` scans. Default: `[tableName]` when `tableName` is a string; required
   * for `listPending` when it is a function, since the store cannot enumerate the function's
   * tables (writers that never sweep do not need it).
   */
  readonly tables?: readonly string[];
  /**
   * States and pending commits whose JSON exceeds this many UTF-8 bytes are stored compressed
   * (raw DEFLATE, binary attribute). Default 8 KiB; `Infinity` never compresses, 0 always does.
   */
  readonly compressionThreshold?: number;
  /**
   * Bytes kept free in an existing head for attributes a write does not rewrite (`lastPosition`,
   * earlier `recentCommands`); see `DEFAULT_ITEM_SIZE_RESERVE` (16 KiB).
   */
  readonly itemSizeReserve?: number;
  /** The clock that stamps `pendingSince` and ages pending commits (default: the system clock). */
  readonly clock?: () => Date;
}

/** Tells a ready client from a client configuration. */
export const resolveClient = (
  client: DynamoDBClientLike | DynamoDBClientConfig,
): { readonly client: DynamoDBClientLike; readonly owned: DynamoDBClient | undefined } => {
  if ('send' in client && typeof client.send === 'function') {
    return { client: client as DynamoDBClientLike, owned: undefined };
  }
  const created = new DynamoDBClient(client as DynamoDBClientConfig);
  return { client: created, owned: created };
};
