const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });

exports.handler = async (event) => {
  const region = event.pathParameters.region;
  const result = await knex.raw(`SELECT sum(total) AS total FROM sales WHERE region = '${region}'`);
  return { statusCode: 200, body: JSON.stringify(result.rows[0]) };
};
