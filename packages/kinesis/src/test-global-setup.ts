// The global setup of this package's own test run: kinesalite and DynamoDB Local, shared by every test file.
import { localAwsGlobalSetup } from '@tributary/testing/vitest';

export default localAwsGlobalSetup({
  kinesis: 'kinesalite',
  dynamodb: 'dynamodb-local',
  s3: false,
  firehose: false,
});
