import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * The region every local client uses; emulators accept any.
 *
 * @example
 * ```ts
 * const arn = `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stream/events`;
 * ```
 */
export const LOCAL_REGION = 'us-east-1';

/**
 * Dummy credentials, so the SDK never looks for real ones. Most emulators accept any; s3rver
 * checks signatures against its built-in key pair, which is this one.
 *
 * @example
 * ```ts
 * const kinesis = new KinesisClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
 * ```
 */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
} as const;

/**
 * The account id emulators put in ARNs.
 *
 * @example
 * ```ts
 * const roleArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/firehose`;
 * ```
 */
export const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * Client settings shared by every local AWS SDK v3 client: endpoint, dummy region and
 * credentials, and a plain HTTP/1.1 handler (the Kinesis client defaults to HTTP/2, which the
 * emulators do not speak). Spread it and add what a service needs (S3: use
 * `localS3ClientConfig`).
 *
 * @example
 * ```ts
 * const dynamodb = new DynamoDBClient(localClientConfig(aws.endpoints.dynamodb.endpoint));
 * const kinesis = new KinesisClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
 * ```
 */
export const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  requestHandler: new NodeHttpHandler({
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    throwOnRequestTimeout: true,
  }),
  maxAttempts: 3,
});
