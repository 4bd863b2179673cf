const { appendEntry } = require('./lib/audit-log');

module.exports.record = async (event) => {
  const entry = Object.assign({ at: event.time, source: event.source }, event.detail);
  if (!entry.tenantId || !entry.action) {
    console.warn('audit event without tenant or action', event.id);
    return { logged: false };
  }
  appendEntry(entry.tenantId, `${entry.at} ${entry.action} by ${entry.actor}`);
  return { logged: true };
};
