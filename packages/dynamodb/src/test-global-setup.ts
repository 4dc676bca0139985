// The global setup of this package's own test run: DynamoDB Local, shared by every test file.
import { localAwsGlobalSetup } from '@tributary/testing/vitest';

export default localAwsGlobalSetup({
  kinesis: false,
  dynamodb: 'dynamodb-local',
  s3: false,
  firehose: false,
});
