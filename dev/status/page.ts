/**
 * The local stack's status page, rendered on the server as plain HTML (no script). Pure:
 * status/collect.ts gathers the model. Every value is escaped: object names, error
 * messages and rules come from files anyone can drop, and must never become markup.
 */

export interface JobErrorRow {
  reason?: string;
  message?: string;
  /** The file BigQuery named (its `location`). */
  location?: string;
}

export interface LoadRow {
  object: string;
  generation: string;
  /** `none`: no marker yet (not loaded, or not routed); else the marker's state. */
  state: string;
  route?: string;
  jobId?: string;
  rows?: string;
  error?: string;
  updated?: string;
  /** The failed job's own error list (jobs.get), with the file and line each names. */
  jobErrors?: JobErrorRow[];
}

export interface StatusModel {
  configPath: string;
  routes: { name: string; match: string; destination: string }[];
  loads: LoadRow[];
  tables: { table: string; rows: string }[];
  /** Results of replays and anything the page could not read, newest first. */
  notices: string[];
  generatedAt: Date;
}

/** Sections in the order a user looks for them: problems first. */
const STATE_SECTIONS: { title: string; states: string[] }[] = [
  { title: 'Failed', states: ['failed'] },
  { title: 'In progress', states: ['claimed', 'submitted'] },
  { title: 'Loaded', states: ['loaded'] },
  { title: 'Not loaded (no marker)', states: ['none'] },
];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside an element and inside a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.failed{color:#a00}.loaded{color:#070}code{font-size:.9em}ul{margin:0;padding-left:1.2em}`;

export function renderStatusPage(model: StatusModel, refreshSeconds = 5): string {
  const counts = new Map<string, number>();
  for (const load of model.loads) counts.set(load.state, (counts.get(load.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${state}: ${n}`).join(' · ') || 'no loads yet';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '',
    `<title>bq-autoloader — local status</title><style>${STYLE}</style></head><body>`,
    '<h1>bq-autoloader — local stack</h1>',
    `<p>${escapeHtml(summary)} <small>(as of ${escapeHtml(model.generatedAt.toISOString())})</small></p>`,
    notices(model.notices),
    ...STATE_SECTIONS.map((s) => loadSection(s.title, s.states, model.loads)),
    tablesSection(model.tables),
    rulesSection(model),
    '</body></html>',
  ].join('\n');
}

function notices(list: string[]): string {
  if (list.length === 0) return '';
  return `<section id="notices"><h2>Notices</h2><ul>${list.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></section>`;
}

function loadSection(title: string, states: string[], loads: LoadRow[]): string {
  const rows = loads.filter((l) => states.includes(l.state));
  if (rows.length === 0) return '';
  const id = `state-${states[0]}`;
  const head =
    '<tr><th>object</th><th>generation</th><th>route</th><th>job</th><th>state</th><th>rows</th><th>error</th><th>updated</th><th></th></tr>';
  return `<section id="${id}"><h2>${escapeHtml(title)} (${rows.length})</h2><table>${head}${rows.map(loadRow).join('')}</table></section>`;
}

function loadRow(load: LoadRow): string {
  const cells = [
    `<code>${escapeHtml(load.object)}</code>`,
    escapeHtml(load.generation),
    escapeHtml(load.route ?? '—'),
    load.jobId ? `<code>${escapeHtml(load.jobId)}</code>` : '—',
    `<span class="${escapeHtml(load.state)}">${escapeHtml(load.state)}</span>`,
    escapeHtml(load.rows ?? ''),
    errorCell(load),
    escapeHtml(load.updated ?? ''),
    load.state === 'failed' ? replayForm(load.object) : '',
  ];
  const attrs = `data-object="${escapeHtml(load.object)}" data-state="${escapeHtml(load.state)}"`;
  return `<tr ${attrs}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

function errorCell(load: LoadRow): string {
  if (!load.error) return '';
  const details = (load.jobErrors ?? []).map((e) => {
    const where = e.location ? `<b>${escapeHtml(e.location)}</b>: ` : '';
    return `<li>${where}${escapeHtml(`${e.reason ?? 'error'}: ${e.message ?? ''}`)}</li>`;
  });
  const list = details.length > 0 ? `<ul class="job-errors">${details.join('')}</ul>` : '';
  return `<span class="failed">${escapeHtml(load.error)}</span>${list}`;
}

/** A POST form: the server checks Host, Origin and Sec-Fetch-Site (dev/local-guard.ts). */
function replayForm(object: string): string {
  return `<form method="post" action="/replay"><input type="hidden" name="object" value="${escapeHtml(object)}"><button type="submit">replay</button></form>`;
}

function tablesSection(tables: StatusModel['tables']): string {
  const body =
    tables.length === 0
      ? '<p>No tables yet.</p>'
      : `<table><tr><th>table</th><th>rows</th></tr>${tables
          .map(
            (t) =>
              `<tr data-table="${escapeHtml(t.table)}"><td><code>${escapeHtml(t.table)}</code></td><td>${escapeHtml(t.rows)}</td></tr>`,
          )
          .join('')}</table>`;
  return `<section id="tables"><h2>Tables (local BigQuery)</h2>${body}</section>`;
}

function rulesSection(model: StatusModel): string {
  const routes = model.routes
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.name)}</td><td><code>${escapeHtml(r.match)}</code></td><td><code>${escapeHtml(r.destination)}</code></td></tr>`,
    )
    .join('');
  return `<section id="rules"><h2>Rules in force</h2><p>File: <code>${escapeHtml(model.configPath)}</code></p><table><tr><th>route</th><th>match</th><th>destination</th></tr>${routes}</table></section>`;
}
