const { insertAudit } = require('./db');

exports.handler = async (event) => {
  for (const record of event.Records) {
    const entry = JSON.parse(record.body);
    await insertAudit(entry.actor, entry.action);
  }
  return { ok: true };
};
