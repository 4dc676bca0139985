import { invalidArgument } from './firehose-errors.js';
import type { InputReader } from './firehose-input.js';
import {
  BYTES_PER_BUFFER_MB,
  DEFAULT_BUFFER_INTERVAL_SECONDS,
  DEFAULT_BUFFER_SIZE_MB,
  DEFAULT_LAMBDA_BUFFER_INTERVAL_SECONDS,
  DEFAULT_LAMBDA_BUFFER_SIZE_MB,
  DEFAULT_LAMBDA_NUMBER_OF_RETRIES,
  DEFAULT_RETRY_DURATION_SECONDS,
  DELIVERY_STREAM_NAME_PATTERN,
  MAX_BUFFER_INTERVAL_SECONDS,
  MAX_BUFFER_SIZE_MB,
  MAX_DELIVERY_STREAM_NAME_LENGTH,
  MAX_LAMBDA_BUFFER_INTERVAL_SECONDS,
  MAX_LAMBDA_BUFFER_SIZE_MB,
  MAX_LAMBDA_NUMBER_OF_RETRIES,
  MAX_PREFIX_LENGTH,
  MAX_RETRY_DURATION_SECONDS,
  MIN_BUFFER_INTERVAL_SECONDS,
  MIN_BUFFER_SIZE_MB,
  MIN_LAMBDA_BUFFER_INTERVAL_SECONDS,
  MIN_LAMBDA_BUFFER_SIZE_MB,
} from './firehose-limits.js';
import {
  dataPrefixTemplate,
  errorPrefixTemplate,
  hasExpressions,
  isKnownTimeZone,
  PrefixError,
  type PrefixTemplate,
  parsePrefix,
  partitionKeysOf,
} from './firehose-prefix.js';

/** The Lambda processor of a delivery stream. */
export interface LambdaProcessorConfig {
  readonly arn: string;
  readonly numberOfRetries: number;
  readonly bufferSizeBytes: number;
  readonly bufferIntervalMs: number;
}

/** A delivery stream as the local Firehose runs it, decoded from CreateDeliveryStream. */
export interface DeliveryStreamConfig {
  readonly name: string;
  readonly arn: string;
  readonly type: 'DirectPut';
  readonly createdAt: Date;
  /** DeliveryStreamVersion in object names and VersionId in Describe. */
  readonly version: string;
  readonly bucket: string;
  readonly dataPrefix: PrefixTemplate;
  readonly errorPrefix: PrefixTemplate;
  readonly bufferSizeBytes: number;
  readonly bufferIntervalMs: number;
  readonly gzip: boolean;
  readonly fileExtension: string;
  readonly timeZone: string | undefined;
  readonly lambda: LambdaProcessorConfig | undefined;
  readonly appendDelimiter: boolean;
  readonly dynamicPartitioning: boolean;
  /** The destination as DescribeDeliveryStream reports it. */
  readonly destinationDescription: Readonly<Record<string, unknown>>;
}

const DELIVERY_STREAM_TYPES = [
  'DirectPut',
  'KinesisStreamAsSource',
  'MSKAsSource',
  'DatabaseAsSource',
];
const COMPRESSION_FORMATS = ['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'];
const PROCESSOR_TYPES = [
  'RecordDeAggregation',
  'Decompression',
  'CloudWatchLogProcessing',
  'Lambda',
  'MetadataExtraction',
  'AppendDelimiterToRecord',
];
const PROCESSOR_PARAMETER_NAMES = [
  'LambdaArn',
  'NumberOfRetries',
  'MetadataExtractionQuery',
  'JsonParsingEngine',
  'RoleArn',
  'BufferSizeInMBs',
  'BufferIntervalInSeconds',
  'SubRecordType',
  'Delimiter',
  'CompressionFormat',
  'DataMessageExtraction',
];
/** Destinations the local Firehose does not emulate (CreateDeliveryStream members). */
const OTHER_DESTINATIONS = [
  'RedshiftDestinationConfiguration',
  'ElasticsearchDestinationConfiguration',
  'AmazonopensearchserviceDestinationConfiguration',
  'SplunkDestinationConfiguration',
  'HttpEndpointDestinationConfiguration',
  'AmazonOpenSearchServerlessDestinationConfiguration',
  'SnowflakeDestinationConfiguration',
  'IcebergDestinationConfiguration',
];

// Patterns of the Firehose API model (API_ExtendedS3DestinationConfiguration, API_Processor).
const ROLE_ARN = /^arn:.*:iam::\d{12}:role\/[a-zA-Z_0-9+=,.@\-_/]+$/;
const BUCKET_ARN = /^arn:.*:s3:::[\w.-]{1,255}$/;
const FILE_EXTENSION = /^$|^\.[0-9a-z!\-_.*'()]+$/;
const LAMBDA_ARN = /^arn:.*:lambda:[^:]*:[^:]*:function:.+$/;

const unsupported = (what: string) =>
  invalidArgument(`${what} is not supported by the local Firehose (@tributary/testing)`);

/** The decoded Lambda and delimiter processors of a ProcessingConfiguration. */
const readProcessing = (
  processing: InputReader | undefined,
): {
  readonly lambda: LambdaProcessorConfig | undefined;
  readonly appendDelimiter: boolean;
  readonly description: unknown;
} => {
  if (processing === undefined)
    return { lambda: undefined, appendDelimiter: false, description: undefined };
  const enabled = processing.boolean('Enabled') ?? false;
  const processors = (processing.list('Processors') ?? []).map((processor) => ({
    type: processor.string('Type', { required: true, oneOf: PROCESSOR_TYPES }),
    parameters: (processor.list('Parameters') ?? []).map((parameter) => ({
      name: parameter.string('ParameterName', { required: true, oneOf: PROCESSOR_PARAMETER_NAMES }),
      value: parameter.string('ParameterValue', { required: true, min: 1, max: 5120 }),
    })),
  }));
  const description = {
    Enabled: enabled,
    Processors: processors.map((processor) => ({
      Type: processor.type,
      Parameters: processor.parameters.map((parameter) => ({
        ParameterName: parameter.name,
        ParameterValue: parameter.value,
      })),
    })),
  };
  if (!enabled) return { lambda: undefined, appendDelimiter: false, description };
  return { ...decodeProcessors(processors), description };
};

const decodeProcessors = (
  processors: readonly {
    readonly type: string | undefined;
    readonly parameters: readonly {
      readonly name: string | undefined;
      readonly value: string | undefined;
    }[];
  }[],
) => {
  let lambda: LambdaProcessorConfig | undefined;
  let appendDelimiter = false;
  for (const processor of processors) {
    const parameters = new Map<string, string>();
    for (const { name, value } of processor.parameters) {
      if (name === undefined || value === undefined) continue;
      if (parameters.has(name)) {
        throw invalidArgument(`Processor parameter ${name} is specified more than once`);
      }
      parameters.set(name, value);
    }
    switch (processor.type) {
      case 'Lambda': {
        if (lambda !== undefined) {
          throw invalidArgument('Only one processor of type Lambda is allowed');
        }
        lambda = decodeLambda(parameters);
        break;
      }
      case 'AppendDelimiterToRecord':
        if (parameters.size > 0) {
          throw unsupported('A parameter of the AppendDelimiterToRecord processor');
        }
        appendDelimiter = true;
        break;
      default:
        throw unsupported(`The ${processor.type} processor`);
    }
  }
  return { lambda, appendDelimiter };
};

const numberParameter = (
  parameters: ReadonlyMap<string, string>,
  name: string,
  range: {
    readonly min: number;
    readonly max: number;
    readonly integer: boolean;
    readonly fallback: number;
  },
): number => {
  const raw = parameters.get(name);
  if (raw === undefined) return range.fallback;
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value)) ||
    value < range.min ||
    value > range.max
  ) {
    throw invalidArgument(
      `Processor parameter ${name} must be ${range.integer ? 'an integer' : 'a number'} between ${range.min} and ${range.max}, got ${raw}`,
    );
  }
  return value;
};

const decodeLambda = (parameters: ReadonlyMap<string, string>): LambdaProcessorConfig => {
  for (const name of parameters.keys()) {
    if (
      ![
        'LambdaArn',
        'NumberOfRetries',
        'RoleArn',
        'BufferSizeInMBs',
        'BufferIntervalInSeconds',
      ].includes(name)
    ) {
      throw invalidArgument(
        `Processor parameter ${name} is not valid for a processor of type Lambda`,
      );
    }
  }
  const arn = parameters.get('LambdaArn');
  if (arn === undefined)
    throw invalidArgument('A processor of type Lambda needs the LambdaArn parameter');
  if (!LAMBDA_ARN.test(arn)) throw invalidArgument(`LambdaArn ${arn} is not a Lambda function ARN`);
  return {
    arn,
    numberOfRetries: numberParameter(parameters, 'NumberOfRetries', {
      min: 0,
      max: MAX_LAMBDA_NUMBER_OF_RETRIES,
      integer: true,
      fallback: DEFAULT_LAMBDA_NUMBER_OF_RETRIES,
    }),
    bufferSizeBytes: Math.floor(
      numberParameter(parameters, 'BufferSizeInMBs', {
        min: MIN_LAMBDA_BUFFER_SIZE_MB,
        max: MAX_LAMBDA_BUFFER_SIZE_MB,
        integer: false,
        fallback: DEFAULT_LAMBDA_BUFFER_SIZE_MB,
      }) * BYTES_PER_BUFFER_MB,
    ),
    bufferIntervalMs:
      numberParameter(parameters, 'BufferIntervalInSeconds', {
        min: MIN_LAMBDA_BUFFER_INTERVAL_SECONDS,
        max: MAX_LAMBDA_BUFFER_INTERVAL_SECONDS,
        integer: true,
        fallback: DEFAULT_LAMBDA_BUFFER_INTERVAL_SECONDS,
      }) * 1000,
  };
};

const parseOrReject = (field: string, source: string): PrefixTemplate => {
  try {
    return parsePrefix(source);
  } catch (error) {
    if (error instanceof PrefixError)
      throw invalidArgument(`${field} is invalid: ${error.message}`);
    throw error;
  }
};

/**
 * The semantic rules Firehose applies to Prefix and ErrorOutputPrefix
 * (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html, "Semantic rules", and
 * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html).
 */
const checkPrefixes = (options: {
  readonly prefix: string;
  readonly errorOutputPrefix: string | undefined;
  readonly dynamicPartitioning: boolean;
  readonly lambda: LambdaProcessorConfig | undefined;
}) => {
  const prefix = parseOrReject('Prefix', options.prefix);
  const error =
    options.errorOutputPrefix === undefined
      ? undefined
      : parseOrReject('ErrorOutputPrefix', options.errorOutputPrefix);
  if (prefix.parts.some((part) => part.kind === 'error-output-type')) {
    throw invalidArgument("Prefix can't contain !{firehose:error-output-type}");
  }
  if (hasExpressions(prefix) && (error === undefined || options.errorOutputPrefix === '')) {
    throw invalidArgument("ErrorOutputPrefix can't be null when Prefix contains expressions");
  }
  if (error !== undefined && hasExpressions(error)) {
    if (!error.parts.some((part) => part.kind === 'error-output-type')) {
      throw invalidArgument(
        'ErrorOutputPrefix must include at least one instance of !{firehose:error-output-type} when it contains expressions',
      );
    }
    if (partitionKeysOf(error).length > 0) {
      throw invalidArgument(
        'You cannot use partitionKeyFromLambda and partitionKeyFromQuery namespaces when creating ErrorOutputPrefix expressions',
      );
    }
  }
  const keys = partitionKeysOf(prefix);
  if (keys.length > 0 && !options.dynamicPartitioning) {
    throw invalidArgument(
      'Prefix uses partition keys (partitionKeyFromLambda/partitionKeyFromQuery) but dynamic partitioning is not enabled',
    );
  }
  if (options.dynamicPartitioning) {
    if (keys.length === 0) {
      throw invalidArgument(
        'When dynamic partitioning is enabled, Prefix must contain a partitionKeyFromLambda or partitionKeyFromQuery expression',
      );
    }
    if (options.errorOutputPrefix === undefined || options.errorOutputPrefix === '') {
      throw invalidArgument('ErrorOutputPrefix is required when dynamic partitioning is enabled');
    }
  }
  if (keys.some((key) => key.source === 'query')) {
    throw unsupported(
      'partitionKeyFromQuery (inline jq parsing with the MetadataExtraction processor)',
    );
  }
  if (keys.some((key) => key.source === 'lambda') && options.lambda === undefined) {
    throw invalidArgument('partitionKeyFromLambda needs an enabled processor of type Lambda');
  }
};

/** Context CreateDeliveryStream is decoded in. */
export interface CreateContext {
  readonly region: string;
  readonly accountId: string;
  readonly now: Date;
}

/**
 * Decodes and checks a CreateDeliveryStream request. Throws `ValidationException` for model
 * constraint violations (all of them at once), `InvalidArgumentException` for configurations
 * Firehose refuses and for the parts the local Firehose does not emulate, saying which.
 */
export const readCreateDeliveryStream = (
  input: InputReader,
  context: CreateContext,
): DeliveryStreamConfig => {
  const name = input.string('DeliveryStreamName', {
    required: true,
    min: 1,
    max: MAX_DELIVERY_STREAM_NAME_LENGTH,
    pattern: DELIVERY_STREAM_NAME_PATTERN,
  });
  const type = input.string('DeliveryStreamType', { oneOf: DELIVERY_STREAM_TYPES }) ?? 'DirectPut';
  const extended = input.object('ExtendedS3DestinationConfiguration');
  const plain = input.object('S3DestinationConfiguration');
  const destination = extended ?? plain;

  const roleArn = destination?.string('RoleARN', {
    required: true,
    min: 1,
    max: 512,
    pattern: ROLE_ARN,
  });
  const bucketArn = destination?.string('BucketARN', {
    required: true,
    min: 1,
    max: 2048,
    pattern: BUCKET_ARN,
  });
  const prefix = destination?.string('Prefix', { max: MAX_PREFIX_LENGTH });
  const errorOutputPrefix = destination?.string('ErrorOutputPrefix', { max: MAX_PREFIX_LENGTH });
  const hints = destination?.object('BufferingHints');
  const sizeInMBs =
    hints?.number('SizeInMBs', {
      integer: true,
      min: MIN_BUFFER_SIZE_MB,
      max: MAX_BUFFER_SIZE_MB,
    }) ?? DEFAULT_BUFFER_SIZE_MB;
  const intervalInSeconds =
    hints?.number('IntervalInSeconds', {
      integer: true,
      min: MIN_BUFFER_INTERVAL_SECONDS,
      max: MAX_BUFFER_INTERVAL_SECONDS,
    }) ?? DEFAULT_BUFFER_INTERVAL_SECONDS;
  const compression =
    destination?.string('CompressionFormat', { oneOf: COMPRESSION_FORMATS }) ?? 'UNCOMPRESSED';
  const encryption = destination?.json('EncryptionConfiguration');
  const logging = destination?.json('CloudWatchLoggingOptions');

  const processing = readProcessing(extended?.object('ProcessingConfiguration'));
  const partitioning = extended?.object('DynamicPartitioningConfiguration');
  const dynamicPartitioning = partitioning?.boolean('Enabled') ?? false;
  const retryDuration =
    partitioning
      ?.object('RetryOptions')
      ?.number('DurationInSeconds', { integer: true, min: 0, max: MAX_RETRY_DURATION_SECONDS }) ??
    DEFAULT_RETRY_DURATION_SECONDS;
  const fileExtension = extended?.string('FileExtension', { max: 128, pattern: FILE_EXTENSION });
  const timeZone = extended?.string('CustomTimeZone', { max: 50 });
  const backupMode = extended?.string('S3BackupMode', { oneOf: ['Disabled', 'Enabled'] });
  const formatConversion = extended
    ?.object('DataFormatConversionConfiguration')
    ?.boolean('Enabled');
  input.finish();

  if (name === undefined || roleArn === undefined || bucketArn === undefined) {
    // finish() has thrown for a missing name; a missing destination is reported here.
    throw invalidArgument(
      'Exactly one destination configuration is required: ExtendedS3DestinationConfiguration or S3DestinationConfiguration',
    );
  }
  if (type !== 'DirectPut') throw unsupported(`DeliveryStreamType ${type}`);
  if (extended !== undefined && plain !== undefined) {
    throw invalidArgument(
      'Only one destination configuration is allowed: ExtendedS3DestinationConfiguration or S3DestinationConfiguration',
    );
  }
  const other = OTHER_DESTINATIONS.find((key) => input.has(key));
  if (other !== undefined) throw unsupported(other);
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') {
    throw unsupported(`CompressionFormat ${compression}`);
  }
  if (backupMode === 'Enabled') throw unsupported('S3BackupMode Enabled (source record backup)');
  if (formatConversion === true) throw unsupported('DataFormatConversionConfiguration');
  if (timeZone !== undefined && timeZone !== '' && !isKnownTimeZone(timeZone)) {
    throw invalidArgument(`CustomTimeZone ${timeZone} is not a supported time zone`);
  }
  checkPrefixes({
    prefix: prefix ?? '',
    errorOutputPrefix,
    dynamicPartitioning,
    lambda: processing.lambda,
  });

  const bucket = bucketArn.slice(bucketArn.indexOf(':::') + 3);
  const s3Description = {
    RoleARN: roleArn,
    BucketARN: bucketArn,
    ...(prefix === undefined ? {} : { Prefix: prefix }),
    ...(errorOutputPrefix === undefined ? {} : { ErrorOutputPrefix: errorOutputPrefix }),
    BufferingHints: { SizeInMBs: sizeInMBs, IntervalInSeconds: intervalInSeconds },
    CompressionFormat: compression,
    EncryptionConfiguration: encryption ?? { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: logging ?? { Enabled: false },
  };
  const extendedDescription = {
    ...s3Description,
    ...(processing.description === undefined
      ? {}
      : { ProcessingConfiguration: processing.description }),
    S3BackupMode: 'Disabled',
    ...(partitioning === undefined
      ? {}
      : {
          DynamicPartitioningConfiguration: {
            Enabled: dynamicPartitioning,
            RetryOptions: { DurationInSeconds: retryDuration },
          },
        }),
    ...(fileExtension === undefined ? {} : { FileExtension: fileExtension }),
    ...(timeZone === undefined ? {} : { CustomTimeZone: timeZone }),
  };
  return {
    name,
    arn: `arn:aws:firehose:${context.region}:${context.accountId}:deliverystream/${name}`,
    type: 'DirectPut',
    createdAt: context.now,
    version: '1',
    bucket,
    dataPrefix: dataPrefixTemplate(prefix ?? ''),
    errorPrefix: errorPrefixTemplate(
      errorOutputPrefix === '' ? undefined : errorOutputPrefix,
      prefix ?? '',
    ),
    bufferSizeBytes: sizeInMBs * BYTES_PER_BUFFER_MB,
    bufferIntervalMs: intervalInSeconds * 1000,
    gzip: compression === 'GZIP',
    fileExtension:
      fileExtension !== undefined && fileExtension !== ''
        ? fileExtension
        : compression === 'GZIP'
          ? '.gz'
          : '',
    timeZone: timeZone === '' ? undefined : timeZone,
    lambda: processing.lambda,
    appendDelimiter: processing.appendDelimiter,
    dynamicPartitioning,
    destinationDescription: {
      DestinationId: 'destinationId-000000000001',
      S3DestinationDescription: s3Description,
      ExtendedS3DestinationDescription: extendedDescription,
    },
  };
};
