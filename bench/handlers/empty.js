/** The cold-start floor: a CloudEvent function that does nothing. */
const functions = require('@google-cloud/functions-framework');

functions.cloudEvent('bench', () => {});
