#!/usr/bin/env node
// `npx dcr` / `npm run dcr`: runs cli/main.ts through tsx's scoped ESM loader, so the CLI is always the
// source in this checkout (no build step, nothing to go stale) and only cli/ and what it imports go through it.
import { tsImport } from 'tsx/esm/api';

await tsImport('../cli/main.ts', import.meta.url);
