import { decodeEvent } from '../../../src/events/decode';
import { fixture } from './fixtures';

interface AuditJob {
  jobName: string;
  jobConfig?: { labels?: Record<string, string> };
  jobStatus?: { jobState?: string };
}
interface AuditEvent {
  data: {
    protoPayload: {
      serviceName: string;
      methodName: string;
      metadata: { jobChange?: { after?: string; job: AuditJob }; jobInsertion?: { job: AuditJob } };
    };
    resource?: { labels?: Record<string, string> };
  };
}

/** A fresh copy of a fixture, typed for the fields these tests change. */
function auditEvent(name: string): AuditEvent {
  return fixture(`audit-log/${name}`) as unknown as AuditEvent;
}

function changed(edit: (e: AuditEvent) => void): AuditEvent {
  const event = auditEvent('job-change-done');
  edit(event);
  return event;
}

function job(e: AuditEvent): AuditJob {
  return e.data.protoPayload.metadata.jobChange?.job as AuditJob;
}

describe('decoding BigQuery job-completion audit log events', () => {
  it('a jobChange to DONE of a labelled job names the job and its location', () => {
    expect(decodeEvent(auditEvent('job-change-done'))).toEqual({
      kind: 'job',
      job: { projectId: 'test-project', jobId: 'JOB_ID', location: 'US' },
    });
  });

  it('a job with the bqal_ prefix counts without the label', () => {
    const event = changed((e) => {
      job(e).jobName = 'projects/p/jobs/bqal_sales_abc';
      job(e).jobConfig = {};
    });
    expect(decodeEvent(event)).toMatchObject({ kind: 'job', job: { jobId: 'bqal_sales_abc' } });
  });

  it('a job inserted already DONE (a fast failure) counts', () => {
    const event = auditEvent('job-insertion-running');
    const inserted = event.data.protoPayload.metadata.jobInsertion?.job as AuditJob;
    inserted.jobStatus = { jobState: 'DONE' };
    expect(decodeEvent(event)).toMatchObject({ kind: 'job', job: { jobId: 'JOB_ID' } });
  });

  it('without a location label the rules decide the location later', () => {
    const event = changed((e) => {
      e.data.resource = { labels: { project_id: 'p' } };
    });
    expect(decodeEvent(event)).toEqual({
      kind: 'job',
      job: { projectId: 'test-project', jobId: 'JOB_ID' },
    });
  });

  it.each([
    [
      'a job still running',
      (e: AuditEvent) => Object.assign(e, auditEvent('job-insertion-running')),
      /not finished \(RUNNING\)/,
    ],
    [
      'another system’s job',
      (e: AuditEvent) => {
        job(e).jobName = 'projects/p/jobs/bquxjob_123';
        job(e).jobConfig = { labels: { team: 'x' } };
      },
      /not a bq-autoloader job/,
    ],
    [
      'another service',
      (e: AuditEvent) => {
        e.data.protoPayload.serviceName = 'storage.googleapis.com';
      },
      /is not a BigQuery job/,
    ],
    [
      'another method',
      (e: AuditEvent) => {
        e.data.protoPayload.methodName = 'google.cloud.bigquery.v2.TableService.InsertTable';
      },
      /is not a BigQuery job/,
    ],
    [
      'an entry without job metadata',
      (e: AuditEvent) => {
        e.data.protoPayload.metadata = {};
      },
      /names no job/,
    ],
  ])('ignores %s', (_what, edit, reason) => {
    const decoded = decodeEvent(changed(edit));
    expect(decoded).toMatchObject({ kind: 'ignored' });
    expect((decoded as { reason: string }).reason).toMatch(reason);
  });

  it('refuses an entry whose job name is not projects/P/jobs/ID, naming the field', () => {
    const decoded = decodeEvent(
      changed((e) => {
        job(e).jobName = 'jobs/x';
      }),
    );
    expect(decoded).toMatchObject({ kind: 'refused' });
    expect((decoded as { reason: string }).reason).toMatch(/jobChange\.job\.jobName/);
  });
});

interface LegacyJob {
  jobConfiguration?: object;
  jobStatus?: { state?: string };
}
interface LegacyEvent {
  data: { protoPayload: { serviceData: { jobCompletedEvent: { job: LegacyJob } } } };
}

describe('the legacy completion format (AuditData, jobservice.jobcompleted)', () => {
  const legacy = () => fixture('audit-log/jobservice-jobcompleted') as unknown as LegacyEvent;

  it('names the job and its location from jobCompletedEvent', () => {
    expect(decodeEvent(legacy())).toEqual({
      kind: 'job',
      job: { projectId: 'test-project', jobId: 'JOB_ID', location: 'EU' },
    });
  });

  it.each([
    ['a job of another loader', { jobConfiguration: {} }, /not a bq-autoloader job/],
    ['a job not DONE', { jobStatus: { state: 'RUNNING' } }, /not finished \(RUNNING\)/],
  ])('ignores %s', (_what, edit: LegacyJob, reason) => {
    const event = legacy();
    Object.assign(event.data.protoPayload.serviceData.jobCompletedEvent.job, edit);
    const decoded = decodeEvent(event);
    expect(decoded).toMatchObject({ kind: 'ignored' });
    expect((decoded as { reason: string }).reason).toMatch(reason);
  });
});
