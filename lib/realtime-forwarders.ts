/**
 * Real-time re-audit (issue 13): the rules that send an account's trail changes, and the
 * management account's Organizations events, to the central bus (lib/realtime.ts).
 *  - `EventForwarder`: a rule on the account's default bus, targeting the central bus with a role
 *    that may only `events:PutEvents` on that bus.
 *  - `MemberEventsStack`: the `trailcheck-member-events` StackSet's template (one stack instance
 *    per account and region), a real stack synthesized on its own so cdk-nag checks it.
 *  - `ForwarderStack`: the same rules for the management account, which StackSets never deploy
 *    to: `TrailcheckManagementEvents-<region>` (trail changes) and `TrailcheckOrgEvents`
 *    (Organizations events, us-east-1). No assets, so those regions need no CDK bootstrap.
 */
import { BootstraplessSynthesizer, CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { cloudTrailChangePattern, organizationsPatterns, REALTIME_NAMES } from './realtime-events';

export interface EventForwarderProps {
  /** The central bus (a literal ARN, or a token such as a parameter or the bus's own attribute). */
  readonly busArn: string;
  readonly ruleName: string;
  readonly description: string;
  /** The event pattern, as EventBridge takes it (lib/realtime-events.ts). */
  readonly eventPattern: Record<string, unknown>;
}

/** A rule on the default bus sending what `eventPattern` matches to the central bus. */
export class EventForwarder extends Construct {
  readonly rule: events.CfnRule;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: EventForwarderProps) {
    super(scope, id);
    // Required for a bus in another account or region; its one permission is the central bus.
    this.role = new iam.Role(this, 'Role', {
      description: 'trailcheck: lets EventBridge forward trail and account changes to the central trailcheck-events bus, and nothing else',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      inlinePolicies: {
        PutEventsOnCentralBus: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ sid: 'PutEventsOnCentralBus', actions: ['events:PutEvents'], resources: [props.busArn] })],
        }),
      },
    });
    this.rule = new events.CfnRule(this, 'Rule', {
      name: props.ruleName,
      description: props.description,
      eventBusName: 'default',
      state: 'ENABLED',
      eventPattern: props.eventPattern,
      targets: [{ id: 'CentralBus', arn: props.busArn, roleArn: this.role.roleArn }],
    });
  }
}

/** The member template's one parameter: the central bus, set by the StackSet. */
export const BUS_ARN_PARAMETER = 'CentralEventBusArn';

/** The StackSet's member template: the trail-change rule, in one account and region. */
export class MemberEventsStack extends Stack {
  readonly forwarder: EventForwarder;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      description: `trailcheck member events: forwards this account's CloudTrail changes in this region to the central bus, deployed by the ${REALTIME_NAMES.stackSet} StackSet`,
    });
    const busArn = new CfnParameter(this, BUS_ARN_PARAMETER, {
      type: 'String',
      allowedPattern: `^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/${REALTIME_NAMES.bus}$`,
      description: 'The central trailcheck event bus in the audit account and region (set by the StackSet).',
    });
    this.forwarder = cloudTrailForwarder(this, busArn.valueAsString);
    new CfnOutput(this, 'ForwardRuleArn', { value: this.forwarder.rule.attrArn });
  }
}

/** The trail-change rule: in the member template, the management account's stacks, and the audit stack in management mode. */
export function cloudTrailForwarder(scope: Construct, busArn: string): EventForwarder {
  return new EventForwarder(scope, 'CloudTrailChanges', {
    busArn,
    ruleName: REALTIME_NAMES.forwardRule,
    description: 'trailcheck: CloudTrail changes (CreateTrail, DeleteTrail, UpdateTrail, StartLogging, StopLogging, PutEventSelectors) to the central bus, for a re-audit',
    eventPattern: cloudTrailChangePattern(),
  });
}

export interface ForwarderStackProps extends StackProps {
  /** The central bus, by its literal ARN (lib/realtime-events.ts centralBusArn). */
  readonly busArn: string;
  /** Forward this region's trail changes. */
  readonly cloudTrail: boolean;
  /** Forward the Organizations events (us-east-1 only: Organizations emits them there). */
  readonly organizations: boolean;
}

/** The management account's rules in one region (StackSets never deploy there). */
export class ForwarderStack extends Stack {
  readonly cloudTrail?: EventForwarder;
  readonly organizations?: EventForwarder;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, {
      ...props,
      synthesizer: props.synthesizer ?? new BootstraplessSynthesizer(),
      description:
        props.description ??
        `trailcheck: forwards the management account's ${[props.cloudTrail ? 'CloudTrail changes' : '', props.organizations ? 'Organizations account events' : ''].filter(Boolean).join(' and ')} to the central bus (StackSets never deploy there)`,
    });
    if (props.cloudTrail) this.cloudTrail = cloudTrailForwarder(this, props.busArn);
    if (props.organizations) {
      this.organizations = new EventForwarder(this, 'AccountChanges', {
        busArn: props.busArn,
        ruleName: REALTIME_NAMES.organizationsRule,
        description: 'trailcheck: new and moved accounts (CreateAccountResult, AcceptHandshake, MoveAccount) to the central bus, for a first audit',
        eventPattern: { $or: organizationsPatterns() },
      });
    }
    new CfnOutput(this, 'CentralBusArn', { value: props.busArn });
  }
}
