import { readFile } from 'node:fs/promises';

export async function readDoc(slug) {
  return readFile(new URL(`./pages/${slug}.html`, import.meta.url), 'utf8');
}
