/**
 * The daily load-job quota, per run. BigQuery allows 1,500 load jobs per table per day,
 * failed ones included, and the limit cannot be raised; a route states how many of those it
 * may use (`batch.jobsPerDay`) and how often it is swept (`batch.sweepsPerDay`), so one run
 * plans at most jobsPerDay / sweepsPerDay jobs per destination table.
 * https://cloud.google.com/bigquery/quotas#load_jobs
 */
import { formatTableReference, withoutDecorator } from '../core/table-ref';
import type { TableReference } from '../types';

export interface BatchLimits {
  maxFiles: number;
  maxBytes: number;
  jobsPerDay: number;
  sweepsPerDay: number;
}

/** Jobs one sweep may start per destination table (at least one, or nothing ever loads). */
export function jobsPerRun(limits: Pick<BatchLimits, 'jobsPerDay' | 'sweepsPerDay'>): number {
  return Math.max(1, Math.floor(limits.jobsPerDay / limits.sweepsPerDay));
}

/** The quota is per table: partition decorators of one table share it. */
export function quotaTable(table: TableReference): string {
  return formatTableReference(withoutDecorator(table));
}

/** Per-table job budgets for one run; the first route to use a table sets its budget. */
export class RunBudget {
  private readonly remaining = new Map<string, number>();

  /** True (and one job counted) when `table` has a job left in this run. */
  take(table: string, perRun: number): boolean {
    const left = this.remaining.get(table) ?? perRun;
    if (left <= 0) {
      this.remaining.set(table, 0);
      return false;
    }
    this.remaining.set(table, left - 1);
    return true;
  }

  /** Hands back a job taken for work that turned out to need none. */
  give(table: string, perRun: number): void {
    this.remaining.set(table, Math.min(perRun, this.left(table, perRun) + 1));
  }

  left(table: string, perRun: number): number {
    return this.remaining.get(table) ?? perRun;
  }
}
