const libxmljs = require('libxmljs2');

function readReading(xml) {
  const doc = libxmljs.parseXml(xml, { noent: true, noblanks: true });
  return {
    sensor: doc.get('//sensor')?.text(),
    value: Number(doc.get('//value')?.text()),
  };
}

module.exports = { readReading };
