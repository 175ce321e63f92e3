#!/usr/bin/env node
// The `tributary-crypto` command of a repository checkout: runs the example's TypeScript through tsx (a
// development dependency), as `npm run crypto` does.
import process from 'node:process';

let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  process.stderr.write(
    'tributary-crypto runs from a checkout of the repository, after `npm ci` (it needs tsx)\n',
  );
  process.exit(1);
}
register();
await import('./main.ts');
