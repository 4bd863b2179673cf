import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

const UPLOAD_DIR = '/tmp/uploads';

export const handler = async (event) => {
  const { fileName, content } = JSON.parse(event?.body ?? '{}');
  if (!fileName || !content) {
    return { statusCode: 400, body: 'fileName and content required' };
  }
  await mkdir(UPLOAD_DIR, { recursive: true });
  const target = path.resolve(UPLOAD_DIR, fileName);
  await writeFile(target, Buffer.from(content, 'base64'));
  return { statusCode: 201, body: JSON.stringify({ stored: path.basename(target) }) };
};
