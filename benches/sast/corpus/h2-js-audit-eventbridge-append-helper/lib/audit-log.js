const fs = require('fs');
const path = require('path');

const LOG_DIR = process.env.AUDIT_DIR || '/mnt/audit';

function appendEntry(tenant, line) {
  const file = path.join(LOG_DIR, `${tenant}.log`);
  fs.appendFileSync(file, line + '\n');
}

module.exports = { appendEntry };
