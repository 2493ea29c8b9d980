import { paramError } from './errors.js';
import { METHOD_SPECS, type ParamSpec } from './method-specs.js';

/** Parameters as VK receives them: every value is a string (arrays comma-separated). */
export type RawParams = Record<string, string>;

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function checkScalar(spec: ParamSpec, value: string): void {
  const { name } = spec;
  switch (spec.type) {
    case 'integer':
    case 'number': {
      if (!(spec.type === 'integer' ? INTEGER : NUMBER).test(value.trim())) {
        throw paramError(`${name} not ${spec.type}`);
      }
      const n = Number(value);
      if (spec.minimum !== undefined && n < spec.minimum) {
        throw paramError(`${name} should be not less than ${spec.minimum}`);
      }
      if (spec.maximum !== undefined && n > spec.maximum) {
        throw paramError(`${name} should be not more than ${spec.maximum}`);
      }
      return;
    }
    case 'boolean':
      if (!['0', '1', 'true', 'false'].includes(value)) throw paramError(`${name} not boolean`);
      return;
    case 'string': {
      const length = [...value].length;
      if (spec.minLength !== undefined && length < spec.minLength) {
        throw paramError(`${name} should be at least ${spec.minLength} characters long`);
      }
      if (spec.maxLength !== undefined && length > spec.maxLength) {
        throw paramError(`${name} should be at most ${spec.maxLength} characters long`);
      }
      return;
    }
    case 'array': {
      const parts = value === '' ? [] : value.split(',');
      if (spec.maxItems !== undefined && parts.length > spec.maxItems) {
        throw paramError(`${name} should contain at most ${spec.maxItems} items`);
      }
      return;
    }
  }
}

/** Validates a call against the method's schema rules, as VK does before running it. */
export function validateParams(method: string, params: RawParams): void {
  const specs = METHOD_SPECS[method];
  if (!specs) return;
  for (const spec of specs) {
    const value = params[spec.name];
    if (value === undefined || (value === '' && spec.type !== 'string')) {
      if (spec.required) throw paramError(`${spec.name} is undefined`);
      continue;
    }
    if (spec.required && spec.type === 'string' && value === '') {
      throw paramError(`${spec.name} is undefined`);
    }
    checkScalar(spec, value);
  }
}

export const int = (params: RawParams, name: string, fallback = 0): number =>
  params[name] === undefined || params[name] === '' ? fallback : Number(params[name]);

export const bool = (params: RawParams, name: string): boolean =>
  params[name] === '1' || params[name] === 'true';

export const intList = (params: RawParams, name: string): number[] =>
  (params[name] ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
