/**
 * The first audit runs by itself once the stack, member roles included, is created: an EventBridge
 * rule on this stack's own "CloudFormation Stack Status Change" to CREATE_COMPLETE invokes the
 * function (asynchronously, as the schedule does), so the first email reports real roles, not
 * "AccessDenied" from accounts whose role was still being created.
 *
 * Why not a custom resource (triggers.Trigger, executeAfter the StackSet): CREATE_COMPLETE comes
 * after every resource, the StackSet's instances included, with nothing to fail the deployment;
 * the invocation is the function's own ($LATEST: its retries and failure queue, which a Trigger's
 * invocation of a function version would not use); and it needs no provider function, role or
 * function version, only a resource-based permission for the rule. It runs on creation only: an
 * update of the stack does not start a run (the schedule does).
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface FirstRunProps {
  readonly function: lambda.IFunction;
  readonly ruleName: string;
}

/** What the function receives, and logs as its trigger. */
export const FIRST_RUN_EVENT = { 'detail-type': 'First run after deployment', source: 'trailcheck.deploy' } as const;

export class FirstRun extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: FirstRunProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: props.ruleName,
      description: 'trailcheck: runs the first audit once this stack (and the member roles) is created',
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['CloudFormation Stack Status Change'],
        detail: { 'stack-id': [Aws.STACK_ID], 'status-details': { status: ['CREATE_COMPLETE'] } },
      },
      targets: [
        new targets.LambdaFunction(props.function, {
          event: events.RuleTargetInput.fromObject(FIRST_RUN_EVENT),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
  }
}
