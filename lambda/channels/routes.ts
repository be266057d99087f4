/**
 * Alert routes (lambda/routes.ts): each route's team receives, on its own topic, the alert about
 * its accounts only, in the same format as the central topic (which still receives everything).
 *
 * - Who is in a route is decided by the accounts' membership now (audit/ou-members.ts, read in
 *   this run), so an account that moved OU goes to its new OU's route, its "resolved" notice too.
 * - An account in two routes goes to both; a route with no account in this alert gets nothing.
 * - The slice is recomputed for the route (summary over the route's accounts in the report,
 *   change counts, subject in the same words) and carries nothing about other accounts: run
 *   errors and notes that name an account outside the route are left out (the full report has
 *   them), as are other routes' notes.
 * - An OU that could not be read: the route misses the accounts under it (unless listed another
 *   way), and `routeNotes` says so, for the report.
 * - Each route is published on its own: one failing does not stop the others (nor the central
 *   topic, published separately); the caller decides what a failed route means for its run.
 */
import { CHANGE_KINDS, type ChangeKind } from '../alerts/changes';
import { subjectFor, type AlertAccount, type AlertDocument } from '../alerts/document';
import type { OuMembers } from '../audit/ou-members';
import type { JsonMessage } from '../aws/sns';
import { summarize, type AuditReport } from '../report-format';
import { routeTopicArn, routeTopicName, type RouteTarget } from '../routes';
import { deliverBySns, type PublishResult, type SnsPart } from './sns';

/** The accounts a route holds now: its listed accounts and every account under its OUs (recursive); and the OUs that could not be read. */
export function routeMembers(route: RouteTarget, ous: OuMembers): { accounts: Set<string>; unresolved: string[] } {
  const accounts = new Set(route.accounts);
  const unresolved: string[] = [];
  for (const ou of route.ous) {
    const members = ous.members.get(ou);
    if (members && !ous.failed.has(ou)) for (const a of members) accounts.add(a);
    else unresolved.push(ou);
  }
  return { accounts, unresolved };
}

const NOTE_PREFIX = 'Alert route "';

/** The report's notes about routes whose OUs could not be read (one per route), for the integrator to add to the report. */
export function routeNotes(routes: readonly RouteTarget[], ous: OuMembers): string[] {
  return routes.flatMap((r) => {
    const { unresolved } = routeMembers(r, ous);
    if (unresolved.length === 0) return [];
    const why = unresolved.map((ou) => `${ou} (${ous.failed.get(ou) ?? 'not looked up'})`).join(', ');
    return [`${NOTE_PREFIX}${r.name}" could not read OU ${why}: the accounts under ${unresolved.length === 1 ? 'it' : 'them'} were not sent to ${routeTopicName(r.name)} this run; the central topic has every account.`];
  });
}

export interface RouteDocument {
  route: string;
  /** The route's slice: `send` is false when no account of the route is in this alert. */
  document: AlertDocument;
  /** The route's OUs that could not be read. */
  unresolvedOus: string[];
}

/**
 * Each route's document. `doc` is the alert document as built (alerts/document.ts, every listed
 * account: not the one a channel cut for room); `report` the report it was built from (the
 * route's summary and its still-failing count come from it).
 */
export function routeDocuments(doc: AlertDocument, routes: readonly RouteTarget[], ous: OuMembers, report: Pick<AuditReport, 'accounts'>): RouteDocument[] {
  const notes = routeNotes(routes, ous);
  return routes.map((route) => {
    const { accounts, unresolved } = routeMembers(route, ous);
    const own = notes.filter((n) => n.startsWith(`${NOTE_PREFIX}${route.name}"`));
    return { route: route.name, document: sliceFor(doc, route.name, accounts, report, own), unresolvedOus: unresolved };
  });
}

function sliceFor(doc: AlertDocument, route: string, members: Set<string>, report: Pick<AuditReport, 'accounts'>, ownNotes: string[]): AlertDocument {
  const accounts = doc.accounts.filter((a) => members.has(a.accountId));
  const inRoute = report.accounts.filter((a) => members.has(a.accountId));
  // Ids that may appear in what the route receives: its own accounts, and the run's own (caller, management account).
  const allowed = new Set([...members, doc.run.callerAccountId, ...(doc.run.organization.available && doc.run.organization.managementAccountId ? [doc.run.organization.managementAccountId] : [])]);
  const errors = doc.run.errors.filter((e) => onlyAbout(`${e.code} ${e.message}`, allowed));
  const newRunErrors = doc.changes.newRunErrors.filter((e) => onlyAbout(`${e.code} ${e.message}`, allowed));
  const kept = doc.run.notes.filter((n) => !n.startsWith(NOTE_PREFIX) && onlyAbout(n, allowed));
  const left = doc.run.errors.length - errors.length + doc.run.notes.filter((n) => !n.startsWith(NOTE_PREFIX)).length - kept.length;
  const notes = [...kept, ...ownNotes, ...(left ? [`${left} run error${left === 1 ? '' : 's'} or note${left === 1 ? '' : 's'} about accounts outside route "${route}" are in the full report.`] : [])];
  const summary = summarize(inRoute, errors.length);
  const counts = countsFor(doc, accounts, inRoute);
  const send = doc.send && accounts.length > 0;
  const reason = !doc.send ? doc.reason : send ? `route ${route}: ${accounts.length} account${accounts.length === 1 ? '' : 's'} of ${doc.accounts.length} (${doc.reason})` : `route ${route}: no account of the route in this alert`;
  const { nextReminderAt, ...changes } = doc.changes;
  const stillDue = nextReminderAt && summary.FAIL + summary.ERROR > 0 ? { nextReminderAt } : {};
  return {
    ...doc,
    send,
    reason,
    subject: subjectFor({ summary, accounts: inRoute }, { kind: doc.kind, counts, comparison: { newRunErrors } }),
    run: { ...doc.run, errors, notes },
    summary,
    changes: { ...changes, counts, ...stillDue, newRunErrors },
    accounts,
    omittedAccounts: 0,
    omittedResolved: 0,
    route,
  };
}

/** Whether text names no 12-digit account id outside `allowed`. */
function onlyAbout(text: string, allowed: Set<string>): boolean {
  return (text.match(/(?<!\d)\d{12}(?!\d)/g) ?? []).every((id) => allowed.has(id));
}

/** Counts over the route's accounts: those listed, and (`changes`, which lists only transitions) the route's accounts still failing. */
function countsFor(doc: AlertDocument, listed: AlertAccount[], inRoute: Pick<AuditReport, 'accounts'>['accounts']): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const a of listed) counts[a.change] += 1;
  if (doc.kind === 'changes') {
    const ids = new Set(listed.map((a) => a.accountId));
    // Failing now and not a transition: still failing (an exempt account is not alerted as failing).
    counts['still-failing'] = inRoute.filter((a) => (a.status === 'FAIL' || a.status === 'ERROR') && !ids.has(a.accountId) && !a.exemption).length;
  }
  return counts;
}

export interface RouteDeliveryDeps {
  /** Publishes one JSON-structured message to a topic (aws/sns.ts `publishJsonMessage` with the topic's client). */
  publish: (topicArn: string, message: JsonMessage) => Promise<{ messageId?: string }>;
  /** The central topic: each route's topic is `trailcheck-route-<name>` in its account and region. */
  centralTopicArn: string;
  /** The channels that ride each message (./sns-parts.ts), as for the central topic. */
  parts: SnsPart[];
  /** The report the document was built from. */
  report: Pick<AuditReport, 'accounts'>;
  maxBytes?: number;
}

export interface RouteDelivery {
  route: string;
  topicArn?: string;
  /** The route's accounts in this alert. */
  accounts: number;
  /** Published, or why not; absent when the publish failed. */
  result?: PublishResult;
  /** Why the publish failed. */
  error?: string;
  unresolvedOus: string[];
}

export interface RoutesOutcome {
  deliveries: RouteDelivery[];
  /** Routes whose publish failed. */
  failed: string[];
  /** The same notes as `routeNotes`. */
  notes: string[];
}

/** Publishes each route its slice, every route on its own: a failed one is reported, never thrown. */
export async function deliverRoutes(doc: AlertDocument, routes: readonly RouteTarget[], ous: OuMembers, deps: RouteDeliveryDeps): Promise<RoutesOutcome> {
  const slices = routeDocuments(doc, routes, ous, deps.report);
  const deliveries = await Promise.all(
    slices.map(async ({ route, document, unresolvedOus }): Promise<RouteDelivery> => {
      const base = { route, accounts: document.accounts.length, unresolvedOus };
      let topicArn: string | undefined;
      try {
        topicArn = routeTopicArn(deps.centralTopicArn, route);
        const arn = topicArn;
        const result = await deliverBySns(document, { publish: (m) => deps.publish(arn, m), parts: deps.parts, maxBytes: deps.maxBytes });
        return { ...base, topicArn, result };
      } catch (err) {
        const e = err as Error;
        return { ...base, ...(topicArn ? { topicArn } : {}), error: `${e.name ?? 'Error'}: ${e.message}` };
      }
    }),
  );
  return { deliveries, failed: deliveries.filter((d) => d.error !== undefined).map((d) => d.route), notes: routeNotes(routes, ous) };
}
