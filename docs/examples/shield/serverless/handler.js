'use strict';

// Orders handler: returns the order id it was given (the shield needs no code change).
module.exports.main = async (event) => ({
  statusCode: 200,
  body: String((event && event.order_id) || ''),
});
