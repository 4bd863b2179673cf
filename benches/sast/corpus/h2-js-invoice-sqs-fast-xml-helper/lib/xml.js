const { XMLParser } = require('fast-xml-parser');

const parser = new XMLParser({ ignoreAttributes: false, processEntities: true });

function parseInvoice(xml) {
  const doc = parser.parse(xml);
  const invoice = doc.invoice || {};
  return { number: String(invoice.number), total: Number(invoice.total) };
}

module.exports = { parseInvoice };
