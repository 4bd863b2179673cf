'use strict';
const { runShell } = require('./lib/shell');

module.exports.process = async (event) => {
  const results = [];
  for (const record of event.Records) {
    const job = JSON.parse(record.body);
    const cmd = `tar -czf /tmp/${job.archiveName}.tgz -C /tmp/work .`;
    results.push(await runShell(cmd));
  }
  return { processed: results.length };
};
