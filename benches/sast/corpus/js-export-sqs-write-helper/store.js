const fs = require('fs');

const EXPORT_DIR = '/tmp/exports';

function saveExport(fileName, data) {
  fs.mkdirSync(EXPORT_DIR, { recursive: true });
  fs.writeFileSync(EXPORT_DIR + '/' + fileName, data);
}

module.exports = { saveExport };
