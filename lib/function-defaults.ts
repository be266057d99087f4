/**
 * House defaults for Node.js functions: bundled by the local esbuild (never Docker), minified,
 * with source maps and the AWS SDK inside the bundle (the version tested is the version run),
 * the latest Node.js runtime cdk-nag's AwsSolutions-L1 accepts, arm64, JSON logs into a log
 * group with a retention period.
 */
import * as path from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root (package.json, package-lock.json, lambda/). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * Latest Node.js runtime known to the installed aws-cdk-lib; AwsSolutions-L1 accepts only the
 * latest of the family. Bundling targets the same Node.js version.
 */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const NODE_TARGET = 'node24';

/** Credential providers after `fromEnv` in the SDK's default chain, loaded only when reached. */
export const LAMBDA_UNREACHABLE_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
];

export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  // Stack traces map to file and line; the sources themselves stay out of the asset.
  sourcesContent: false,
  target: NODE_TARGET,
  // Bundle everything, the AWS SDK v3 included (the runtime's SDK version is not the one tested),
  // except the credential providers a Lambda function never reaches: the default chain tries the
  // environment first, and Lambda always sets credentials there, so the profile, SSO, process and
  // web-identity providers (imported lazily, only when reached) would be dead weight (~70 KB).
  externalModules: LAMBDA_UNREACHABLE_CREDENTIAL_PROVIDERS,
  forceDockerBundling: false,
  format: nodejs.OutputFormat.CJS,
  // The SDK's ES module builds tree-shake far better than its CommonJS ones (measured with
  // `npm run cold-start`: 920 KB → 623 KB with the S3 client in the function; see docs/performance.md).
  mainFields: ['module', 'main'],
  // Licence banners of bundled packages stay in node_modules, not in the deployed asset.
  esbuildArgs: { '--legal-comments': 'none' },
};

export interface HouseNodejsFunctionProps {
  /** Path to the TypeScript entry, relative to the repository root. */
  readonly entry: string;
  readonly handler?: string;
  readonly functionName?: string;
  readonly description?: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment?: Record<string, string>;
  readonly role: iam.IRole;
  readonly logRetention: logs.RetentionDays;
  readonly reservedConcurrentExecutions?: number;
  readonly retryAttempts?: number;
  readonly maxEventAge?: Duration;
  readonly onFailure?: lambda.IDestination;
}

export class HouseNodejsFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HouseNodejsFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Audit evidence outlives the stack; see docs/deploy.md (teardown).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: props.handler ?? 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      bundling: BUNDLING,
      functionName: props.functionName,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: props.role,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: props.onFailure,
    });
  }
}
