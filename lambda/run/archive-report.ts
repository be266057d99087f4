/**
 * Archive: this run's report to S3, and the previous run's report read back (independent objects:
 * in parallel). A failed write does not lose the alert: the step returns the failure, the alert
 * says the report could not be archived, and the run fails after publishing. A missing or
 * unreadable previous report means a first run.
 */
import type { Logger } from '../audit/run-types';
import type { PreviousState, ReportArchive } from '../aws/archive';
import type { ReportPointer } from '../alerts/document';
import type { AuditReport } from '../report-format';

export interface Archived {
  /** Where the report is, or why it is not there; absent without an archive. */
  location?: ReportPointer;
  previous: PreviousState;
  /** The write's failure: the run publishes, leaves the pointer, then fails with `archiveFailure`. */
  failure?: Error;
}

export async function archiveReport(archive: ReportArchive | undefined, report: AuditReport, log: Logger, noArchive: string): Promise<Archived> {
  const out: Archived = archive ? await writeAndRead(archive, report, log) : { previous: { ok: false, missing: true, reason: noArchive } };
  if (!out.previous.ok && out.previous.missing) log.info('no previous report: this run is a first run', { reason: out.previous.reason });
  else if (!out.previous.ok) log.warn('previous report unreadable: this run is a first run', { reason: out.previous.reason });
  return out;
}

async function writeAndRead(archive: ReportArchive, report: AuditReport, log: Logger): Promise<Archived> {
  const key = archive.reportKey(report);
  let failure: Error | undefined;
  const [location, previous] = await Promise.all([
    archive.putReport(report).catch((err: Error): ReportPointer => {
      failure = err;
      log.error('report not archived', { bucket: archive.bucket, key, error: `${err.name}: ${err.message}` });
      return { unavailable: `s3://${archive.bucket}/${key} could not be written: ${err.name}` };
    }),
    archive.readPrevious(),
  ]);
  return { location, previous, ...(failure ? { failure } : {}) };
}

/** The error a run ends with when its report could not be archived (after the alert went out). */
export function archiveFailure(archive: ReportArchive, report: AuditReport, failure: Error, published: boolean): Error {
  return new Error(
    `The report of run ${report.run.id} could not be archived to s3://${archive.bucket}/${archive.reportKey(report)} (${failure.name}: ${failure.message}); the alert was ${published ? 'published' : 'not needed'}, and the next run compares against the last archived report.`,
  );
}
