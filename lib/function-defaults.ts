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

/**
 * Credential providers after `fromEnv` in the SDK's default chain, loaded only when reached (each
 * a dynamic `import()` in @aws-sdk/credential-provider-node; the chain is env, SSO, ini, process,
 * web identity, then container/instance metadata, and moves on only when a provider fails with
 * `tryNextLink`).
 */
export const LAMBDA_UNREACHABLE_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  // The last link (`remoteProvider`: container and instance metadata), imported only after all of
  // the above, so never before an already external provider. Measured with the runtime's
  // NODE_OPTIONS (A/B in the same run, 21–61 alternating fresh processes each, Node 20.20 and
  // 24.21): bundle −14.5 KB (544 → 530 KB), source map −33 KB, load −3 to −6 ms CPU (≈ −3 to −5%;
  // paired medians −2.9 to −13.7 ms over six runs).
  '@smithy/credential-provider-imds',
  '@aws-sdk/credential-provider-http',
];

/**
 * NODE_OPTIONS of every house function at run time: none. `npm run cold-start` loads the bundle
 * (and the unbundled comparison) with exactly these options, so its figures are the deployed
 * function's.
 *
 * Not `--enable-source-maps`, measured (paired, alternating fresh processes): Node reads, parses
 * and rewrites the ~0.9 MB map, and scans the bundle for line lengths, while loading it: +18 to
 * +22 ms wall (+20 to +29 ms CPU) on Node 20.20, +25 to +27 ms wall (+33 ms CPU) on Node 24.21, on
 * every cold start; and 70–90 ms more the first time a stack is formatted.
 * `process.setSourceMapsEnabled(true)` called later would not help: it only covers files loaded
 * after the call (Node docs; checked on Node 20 and 24), and the bundle is one file. Instead the
 * map ships beside the bundle and lambda/stack-map.ts maps the stack of an error that escapes a
 * handler, when it does.
 */
export const RUNTIME_NODE_OPTIONS: string = '';

export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  // Shipped beside the bundle, read only when an error escapes a handler (lambda/stack-map.ts).
  sourceMap: true,
  // Stack traces map to file and line; the sources themselves stay out of the asset.
  sourcesContent: false,
  target: NODE_TARGET,
  // Bundle everything, the AWS SDK v3 included (the runtime's SDK version is not the one tested),
  // except the credential providers a Lambda function never reaches: the default chain tries the
  // environment first, and Lambda always sets credentials there, so the profile, SSO, process,
  // web-identity and container/instance-metadata providers (imported lazily, only when reached)
  // would be dead weight (~85 KB).
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
  /** Files written into the asset beside the bundle: name (`[a-z0-9-]+.json`) → content. */
  readonly assetFiles?: Record<string, string>;
}

/**
 * The commands that write `files` into the bundle's output directory. The content travels as
 * base64 in the command (only `A–Z a–z 0–9 + / =`), so no configured text ever reaches a shell
 * unquoted; the directory is single-quoted, and the names are checked.
 */
export function assetFileCommands(outputDir: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, content]) => {
    if (!/^[a-z0-9-]+\.json$/.test(name)) throw new Error(`asset file name ${JSON.stringify(name)}: expected lowercase letters, digits and dashes, ending .json`);
    if (outputDir.includes("'")) throw new Error(`bundling output directory ${JSON.stringify(outputDir)} contains a single quote`);
    const target = `${outputDir}/${name}`;
    const b64 = Buffer.from(content, 'utf8').toString('base64');
    return `node -e "require('fs').writeFileSync(process.argv[1], Buffer.from(process.argv[2], 'base64'))" '${target}' ${b64}`;
  });
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
      bundling: props.assetFiles
        ? {
            ...BUNDLING,
            commandHooks: {
              beforeBundling: () => [],
              beforeInstall: () => [],
              afterBundling: (_input: string, output: string) => assetFileCommands(output, props.assetFiles ?? {}),
            },
          }
        : BUNDLING,
      functionName: props.functionName,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: props.role,
      environment: { ...(RUNTIME_NODE_OPTIONS ? { NODE_OPTIONS: RUNTIME_NODE_OPTIONS } : {}), ...props.environment },
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
