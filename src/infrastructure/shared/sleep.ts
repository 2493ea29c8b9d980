// The adapters' sleep is the application's one (application/shared/sleep.ts).
export { sleep } from '../../application/shared/sleep.js';
