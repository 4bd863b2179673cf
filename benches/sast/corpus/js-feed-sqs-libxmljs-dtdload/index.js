const libxmljs = require('libxmljs2');

const OPTIONS = { noent: true, dtdload: true };

exports.handler = async (event) => {
  const titles = [];
  for (const record of event.Records) {
    const xml = record.body;
    const doc = libxmljs.parseXmlString(xml, OPTIONS);
    titles.push(doc.root().name());
  }
  return titles;
};
