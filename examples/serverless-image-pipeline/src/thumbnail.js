'use strict';
const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});

exports.handler = async (event) => {
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const original = await s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: key }));
    const body = await original.Body.transformToByteArray();
    await s3.send(new PutObjectCommand({
      Bucket: process.env.BUCKET,
      Key: key.replace('uploads/', 'thumbnails/'),
      Body: body,
    }));
  }
};
