#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so the command works without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/evosync.ts');
