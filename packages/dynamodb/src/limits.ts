import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The largest item DynamoDB stores: 400 KB, counting attribute names and values.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
 *
 * @example
 * ```ts
 * if (stateBytes > MAX_ITEM_BYTES) console.warn('this state will not fit one head item');
 * ```
 */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * The longest partition key value: 2048 bytes (UTF-8).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
 *
 * @example
 * ```ts
 * const fits = Buffer.byteLength(streamId) <= MAX_PARTITION_KEY_BYTES;
 * ```
 */
export const MAX_PARTITION_KEY_BYTES = 2048;

/**
 * The most actions one `TransactWriteItems` call may hold: 100.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-dynamodb-transactions
 *
 * @example
 * ```ts
 * const batches = Math.ceil(products.length / MAX_TRANSACTION_ITEMS);
 * ```
 */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * The largest aggregate size of the items in one transaction: 4 MB.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-dynamodb-transactions
 *
 * @example
 * ```ts
 * const fits = totalHeadBytes <= MAX_TRANSACTION_BYTES;
 * ```
 */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

/**
 * The longest expression string (update, condition, filter): 4 KB. Only `acknowledge` can come
 * near it, with many command ids to forget.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters
 *
 * @example
 * ```ts
 * const forgetCommands = oldest.slice(0, 20); // far below MAX_EXPRESSION_BYTES
 * ```
 */
export const MAX_EXPRESSION_BYTES = 4 * 1024;

/**
 * Room kept in a head item for what a head write keeps but does not rewrite, and so cannot
 * measure before writing: `lastPosition` (a Kinesis sequence number, 56 digits) and the
 * entries of `recentCommands` written by earlier commits (about 100 bytes each). A Tributary
 * choice, not an AWS limit: 16 KiB holds well over a hundred remembered commands.
 *
 * @example
 * ```ts
 * new DynamoDBStreamHeadStore({ client, tableName, itemSizeReserve: 2 * DEFAULT_ITEM_SIZE_RESERVE });
 * ```
 */
export const DEFAULT_ITEM_SIZE_RESERVE = 16 * 1024;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The size DynamoDB bills for a number: one byte per two significant digits, plus one. Leading
 * and trailing zeros, the sign and the decimal point are not counted.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
const numberBytes = (text: string): number => {
  const digits = text
    .replace(/^[+-]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
};

/**
 * The size of one attribute value, by DynamoDB's rules: strings and binaries by their length in
 * bytes, numbers as above, booleans and null one byte, lists and maps 3 bytes plus one byte per
 * element plus their elements (for a map, each element's name and value).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 *
 * @example
 * ```ts
 * attributeValueBytes({ M: { n: { N: '12' } } }); // 3 + 1 + 1 + 2 = 7
 * ```
 */
export const attributeValueBytes = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, item) => sum + utf8Bytes(item), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, item) => sum + numberBytes(item), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, item) => sum + item.byteLength, 0);
  if (value.L !== undefined) {
    return value.L.reduce((sum, item) => sum + 1 + attributeValueBytes(item), 3);
  }
  if (value.M !== undefined) return 3 + attributeMapBytes(value.M, 1);
  return 0;
};

/**
 * The size of an item (or of some of its attributes): each attribute's name in UTF-8 bytes plus
 * its value. `perElement` is the byte a map adds for each of its elements.
 *
 * @example
 * ```ts
 * attributeMapBytes({ streamId: { S: 'cart-1' }, version: { N: '3' } }); // 8 + 6 + 7 + 2 = 23
 * ```
 */
export const attributeMapBytes = (
  attributes: Readonly<Record<string, AttributeValue>>,
  perElement = 0,
): number =>
  Object.entries(attributes).reduce(
    (sum, [name, value]) => sum + perElement + utf8Bytes(name) + attributeValueBytes(value),
    0,
  );

/** The UTF-8 size of a key value, for the partition key limit. */
export const keyBytes = utf8Bytes;
