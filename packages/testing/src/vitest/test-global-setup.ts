// The global setup of this package's own test run.
import { localAwsGlobalSetup } from './index.js';

export default localAwsGlobalSetup({ kinesis: 'kinesalite', dynamodb: 'dynamodb-local', s3: true });
