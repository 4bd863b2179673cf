const { saveExport } = require('./store');

exports.handler = async (event) => {
  for (const record of event.Records) {
    const job = JSON.parse(record.body);
    saveExport(job.fileName, JSON.stringify(job.rows));
  }
  return { saved: event.Records.length };
};
