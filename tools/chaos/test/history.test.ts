// Goal: the history parser accepts the documented JSON-lines format and names the line of any bad input.
// Method: parse valid and invalid lines and inspect the typed error.
import { describe, expect, it } from 'vitest';
import { formatHistory, HistoryParseError, parseHistory } from '../src/history';
import { cas, read, write } from './ops';

function parseError(text: string): HistoryParseError {
  try {
    parseHistory(text);
  } catch (error) {
    if (error instanceof HistoryParseError) return error;
    throw error;
  }
  throw new Error('expected a HistoryParseError');
}

describe('parseHistory', () => {
  it('round-trips reads, writes and cas with every outcome, skipping blank lines', () => {
    const ops = [write(1, 'a', 0, 1), read(2, null, 2, 3), cas(3, 'a', 5, 4, null), cas(4, null, 'b', 4, 6, 'fail')];
    expect(parseHistory(`\n${formatHistory(ops)}\n\n`)).toEqual(ops);
  });

  it('treats a read without a value as reading absent', () => {
    const line = '{"process":"c1","key":"k","type":"read","invokeMs":0,"completeMs":1,"outcome":"ok"}';
    expect(parseHistory(line)[0]).toMatchObject({ type: 'read', value: null, process: 'c1' });
  });

  it.each([
    ['not json', 'invalid JSON'],
    ['[1]', 'not a JSON object'],
    ['{"process":1,"key":"k","type":"nope","invokeMs":0,"completeMs":1,"outcome":"ok"}', '`type`'],
    ['{"process":1,"key":"k","type":"write","invokeMs":0,"completeMs":1,"outcome":"ok"}', 'write `value`'],
    ['{"process":1,"key":"k","type":"write","value":"a","invokeMs":0,"completeMs":1,"outcome":"unknown"}', 'null'],
    ['{"process":1,"key":"k","type":"write","value":"a","invokeMs":0,"completeMs":null,"outcome":"ok"}', 'finite'],
    ['{"process":1,"key":"k","type":"write","value":"a","invokeMs":5,"completeMs":1,"outcome":"ok"}', 'before'],
    ['{"process":1,"key":"k","type":"cas","value":"a","invokeMs":0,"completeMs":1,"outcome":"ok"}', '`expected`'],
    ['{"process":1.5,"key":"k","type":"read","invokeMs":0,"completeMs":1,"outcome":"ok"}', '`process`'],
    ['{"process":1,"type":"read","invokeMs":0,"completeMs":1,"outcome":"ok"}', '`key`'],
    ['{"process":1,"key":"k","type":"read","invokeMs":0,"completeMs":1,"outcome":"maybe"}', '`outcome`'],
  ])('rejects %s naming the line', (bad, reason) => {
    const error = parseError(`${JSON.stringify(write(1, 'a', 0, 1))}\n\n${bad}\n`);
    expect(error.line).toBe(3);
    expect(error.name).toBe('HistoryParseError');
    expect(error.message).toContain('line 3');
    expect(error.message).toContain(reason);
  });
});
