const serialize = require('node-serialize');

exports.handler = async (event) => {
  const snapshots = [];
  for (const record of event.Records) {
    const image = record.dynamodb.NewImage;
    const cart = { id: image.cartId.S, total: Number(image.total.N) };
    snapshots.push(serialize.serialize(cart));
  }
  return snapshots;
};
