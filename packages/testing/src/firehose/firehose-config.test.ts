import { describe, expect, it } from 'vitest';
import { readCreateDeliveryStream } from './firehose-config.js';
import { FirehoseApiError } from './firehose-errors.js';
import { InputReader } from './firehose-input.js';

const ROLE = 'arn:aws:iam::000000000000:role/firehose';
const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:transform';
const context = {
  region: 'us-east-1',
  accountId: '000000000000',
  now: new Date('2024-01-01T00:00:00Z'),
};

const create = (destination: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  readCreateDeliveryStream(
    InputReader.root({
      DeliveryStreamName: 'archive',
      ExtendedS3DestinationConfiguration: {
        RoleARN: ROLE,
        BucketARN: 'arn:aws:s3:::bucket',
        ...destination,
      },
      ...extra,
    }),
    context,
  );

const errorOf = (run: () => unknown): FirehoseApiError => {
  try {
    run();
  } catch (error) {
    if (error instanceof FirehoseApiError) return error;
    throw error;
  }
  throw new Error('expected a FirehoseApiError');
};

const lambda = (parameters: Record<string, string> = {}) => ({
  ProcessingConfiguration: {
    Enabled: true,
    Processors: [
      {
        Type: 'Lambda',
        Parameters: Object.entries({ LambdaArn: LAMBDA, ...parameters }).map(
          ([ParameterName, ParameterValue]) => ({
            ParameterName,
            ParameterValue,
          }),
        ),
      },
    ],
  },
});

describe('CreateDeliveryStream decoding', () => {
  it('applies the Firehose defaults', () => {
    const config = create({});
    expect(config).toMatchObject({
      name: 'archive',
      arn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/archive',
      bucket: 'bucket',
      bufferSizeBytes: 5 * 1024 * 1024,
      bufferIntervalMs: 300_000,
      gzip: false,
      fileExtension: '',
      lambda: undefined,
      dynamicPartitioning: false,
    });
    expect(create({ CompressionFormat: 'GZIP' }).fileExtension).toBe('.gz');
    expect(create({ CompressionFormat: 'GZIP', FileExtension: '.json.gz' }).fileExtension).toBe(
      '.json.gz',
    );
    expect(create(lambda()).lambda).toEqual({
      arn: LAMBDA,
      numberOfRetries: 3,
      bufferSizeBytes: 1024 * 1024,
      bufferIntervalMs: 60_000,
    });
  });

  it('reports every model violation in one ValidationException', () => {
    const error = errorOf(() =>
      readCreateDeliveryStream(
        InputReader.root({
          DeliveryStreamName: 'bad name!',
          ExtendedS3DestinationConfiguration: {
            BucketARN: 'bucket',
            BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 901 },
          },
        }),
        context,
      ),
    );
    expect(error.code).toBe('ValidationException');
    expect(error.message).toMatch(/^5 validation errors detected: /);
    expect(error.message).toContain(
      "Value 'bad name!' at 'deliveryStreamName' failed to satisfy constraint",
    );
    expect(error.message).toContain("Value null at 'extendedS3DestinationConfiguration.roleARN'");
    expect(error.message).toContain("at 'extendedS3DestinationConfiguration.bucketARN'");
    expect(error.message).toContain(
      "Value '129' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128",
    );
    expect(error.message).toContain('Member must have value less than or equal to 900');
  });

  it('answers a value of the wrong JSON type with SerializationException', () => {
    expect(errorOf(() => create({ BufferingHints: { SizeInMBs: '5' } })).code).toBe(
      'SerializationException',
    );
  });

  it.each([
    [
      { Prefix: 'a/!{timestamp:yyyy}/' },
      "ErrorOutputPrefix can't be null when Prefix contains expressions",
    ],
    [
      { Prefix: 'a/!{firehose:error-output-type}/', ErrorOutputPrefix: 'e/' },
      "Prefix can't contain",
    ],
    [
      { ErrorOutputPrefix: 'e/!{timestamp:yyyy}/' },
      'must include at least one instance of !{firehose:error-output-type}',
    ],
    [
      { Prefix: 'a/!{timestamp:yyyy#}/', ErrorOutputPrefix: 'e/' },
      'Prefix is invalid: Pattern includes reserved character',
    ],
    [
      { Prefix: 't=!{partitionKeyFromLambda:t}/', ErrorOutputPrefix: 'e/', ...lambda() },
      'dynamic partitioning is not enabled',
    ],
    [
      {
        Prefix: 'static/',
        ErrorOutputPrefix: 'e/',
        DynamicPartitioningConfiguration: { Enabled: true },
        ...lambda(),
      },
      'Prefix must contain a partitionKeyFromLambda or partitionKeyFromQuery expression',
    ],
    [
      {
        Prefix: 't=!{partitionKeyFromLambda:t}/',
        DynamicPartitioningConfiguration: { Enabled: true },
        ...lambda(),
      },
      "ErrorOutputPrefix can't be null",
    ],
    [
      {
        Prefix: 't=!{partitionKeyFromLambda:t}/',
        ErrorOutputPrefix: 'e/',
        DynamicPartitioningConfiguration: { Enabled: true },
      },
      'partitionKeyFromLambda needs an enabled processor of type Lambda',
    ],
    [
      {
        Prefix: 't=!{partitionKeyFromLambda:t}/',
        ErrorOutputPrefix: 'e/!{firehose:error-output-type}/!{partitionKeyFromLambda:t}/',
        DynamicPartitioningConfiguration: { Enabled: true },
        ...lambda(),
      },
      'You cannot use partitionKeyFromLambda and partitionKeyFromQuery namespaces when creating ErrorOutputPrefix',
    ],
    [lambda({ NumberOfRetries: '301' }), 'NumberOfRetries must be an integer between 0 and 300'],
    [lambda({ BufferSizeInMBs: '4' }), 'BufferSizeInMBs must be a number between 0.2 and 3'],
    [
      lambda({ BufferIntervalInSeconds: '901' }),
      'BufferIntervalInSeconds must be an integer between 0 and 900',
    ],
    [
      lambda({ SubRecordType: 'JSON' }),
      'SubRecordType is not valid for a processor of type Lambda',
    ],
    [
      {
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            lambda().ProcessingConfiguration.Processors[0],
            lambda().ProcessingConfiguration.Processors[0],
          ],
        },
      },
      'Only one processor of type Lambda is allowed',
    ],
    [
      {
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [{ Type: 'Lambda', Parameters: [] }],
        },
      },
      'needs the LambdaArn parameter',
    ],
    [
      { CustomTimeZone: 'Mars/Olympus' },
      'CustomTimeZone Mars/Olympus is not a supported time zone',
    ],
  ])('refuses %j with InvalidArgumentException', (destination, message) => {
    const error = errorOf(() => create(destination));
    expect(error.code).toBe('InvalidArgumentException');
    expect(error.message).toContain(message);
  });

  it.each([
    [{ CompressionFormat: 'ZIP' }, {}, 'CompressionFormat ZIP'],
    [
      { ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'RecordDeAggregation' }] } },
      {},
      'RecordDeAggregation',
    ],
    [
      {},
      { DeliveryStreamType: 'KinesisStreamAsSource' },
      'DeliveryStreamType KinesisStreamAsSource',
    ],
    [
      {
        Prefix: 'c=!{partitionKeyFromQuery:c}/',
        ErrorOutputPrefix: 'e/',
        DynamicPartitioningConfiguration: { Enabled: true },
      },
      {},
      'partitionKeyFromQuery',
    ],
    [{}, { HttpEndpointDestinationConfiguration: {} }, 'HttpEndpointDestinationConfiguration'],
  ])('says what the local Firehose does not emulate: %j %j', (destination, extra, what) => {
    const error = errorOf(() => create(destination, extra));
    expect(error.code).toBe('InvalidArgumentException');
    expect(error.message).toContain(what);
    expect(error.message).toContain('not supported by the local Firehose');
  });

  it('ignores processors while processing is disabled', () => {
    expect(
      create({
        ProcessingConfiguration: { Enabled: false, Processors: [{ Type: 'RecordDeAggregation' }] },
      }).lambda,
    ).toBe(undefined);
  });

  it('accepts the S3DestinationConfiguration form and refuses both forms at once', () => {
    const plain = readCreateDeliveryStream(
      InputReader.root({
        DeliveryStreamName: 'plain',
        S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::b', Prefix: 'p/' },
      }),
      context,
    );
    expect(plain.bucket).toBe('b');
    const both = errorOf(() =>
      readCreateDeliveryStream(
        InputReader.root({
          DeliveryStreamName: 'both',
          S3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::b' },
          ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::b' },
        }),
        context,
      ),
    );
    expect(both.code).toBe('InvalidArgumentException');
    const none = errorOf(() =>
      readCreateDeliveryStream(InputReader.root({ DeliveryStreamName: 'none' }), context),
    );
    expect(none.message).toContain('Exactly one destination configuration is required');
  });
});
