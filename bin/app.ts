#!/usr/bin/env node
/**
 * The CDK app (`npx cdk synth|deploy`): configuration from context → stacks → cdk-nag.
 * Wiring only; see lib/ and docs/deploy.md.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createTrailcheckStacks } from '../lib/app';
import { loadConfig, TrailcheckConfigError } from '../lib/config';

const app = new App();
let config;
try {
  config = loadConfig(app.node);
} catch (err) {
  if (!(err instanceof TrailcheckConfigError)) throw err;
  process.stderr.write(`trailcheck configuration error: ${err.message}\nSee docs/deploy.md (Configuration).\n`);
  process.exit(1);
}
createTrailcheckStacks(app, config, { memberTemplatePlugins: (scope) => [new AwsSolutionsChecks(scope)] });
// Every stack, the member template included (above), passes the AwsSolutions pack or fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
