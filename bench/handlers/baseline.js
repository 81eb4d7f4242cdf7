/**
 * The baseline: a finalize handler written the way Google's samples teach it, with the
 * @google-cloud/bigquery and @google-cloud/storage clients: one load job per event from the
 * object's gs:// URI (`table.createLoadJob(storage.bucket(b).file(n), metadata)`, as in the
 * "load CSV from Cloud Storage" sample). `createLoadJob` submits without waiting for the
 * job, which is the same work bq-autoloader does per event; `table.load()` would also poll.
 * https://cloud.google.com/bigquery/docs/loading-data-cloud-storage-csv#node.js
 */
const functions = require('@google-cloud/functions-framework');
const { BigQuery } = require('@google-cloud/bigquery');
const { Storage } = require('@google-cloud/storage');

const bigquery = new BigQuery();
const storage = new Storage();
const datasetId = 'raw';
const tableId = 'sales';

functions.cloudEvent('bench', async (event) => {
  const file = event.data;
  const metadata = { sourceFormat: 'CSV', skipLeadingRows: 1, autodetect: true, location: 'EU' };
  await bigquery
    .dataset(datasetId)
    .table(tableId)
    .createLoadJob(storage.bucket(file.bucket).file(file.name), metadata);
});
