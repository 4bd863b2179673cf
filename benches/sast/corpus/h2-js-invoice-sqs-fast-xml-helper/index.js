const { parseInvoice } = require('./lib/xml');

exports.handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      const invoice = parseInvoice(record.body);
      console.log('invoice', invoice.number, invoice.total);
    } catch (err) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
