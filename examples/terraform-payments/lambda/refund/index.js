'use strict';

exports.handler = async (event) => {
  const id = event.refundId;
  return { refunded: Boolean(id) };
};
