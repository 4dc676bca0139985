/**
 * Copies a value the way a real store would see it: through JSON. In-memory adapters store
 * copies so that callers cannot mutate stored data, and so that values JSON cannot carry (a
 * `Date`, `undefined` fields, a `bigint`) behave as they will against DynamoDB or Kinesis.
 */
export const jsonCopy = <T>(value: T): T =>
  value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
