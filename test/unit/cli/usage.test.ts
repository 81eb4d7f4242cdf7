/** The checks Commander runs on option values, and the short form of --topic. */
import { InvalidArgumentError } from 'commander';
import {
  digits,
  duration,
  keyValue,
  topicName,
  UsageError,
  wholeNumber,
} from '../../../src/cli/usage';

describe('option values', () => {
  it.each([
    [digits, '1764324000000001', '1764324000000001'],
    [wholeNumber, '0', 0],
    [wholeNumber, '300', 300],
    [duration, '30m', '30m'],
  ] as const)('accepts %p(%p)', (check, value, expected) => {
    expect((check as (v: string) => unknown)(value)).toEqual(expected);
  });

  it.each([
    [digits, 'abc'],
    [digits, '12a'],
    [digits, ''],
    [wholeNumber, '-1'],
    [wholeNumber, '1.5'],
    [wholeNumber, 'soon'],
    [duration, '1 hour'],
    [keyValue, '=v'],
    [keyValue, 'novalue'],
  ] as const)('refuses %p(%p) as a usage error', (check, value) => {
    expect(() => (check as (v: string) => unknown)(value)).toThrow(InvalidArgumentError);
  });

  it('collects repeated key=value pairs', () => {
    expect(keyValue('b=2', keyValue('a=1'))).toEqual(['a=1', 'b=2']);
  });
});

describe('topicName', () => {
  it('keeps a full topic name and expands a topic id into the project', () => {
    expect(topicName('projects/p/topics/t', undefined)).toBe('projects/p/topics/t');
    expect(topicName('ingest', 'my-project')).toBe('projects/my-project/topics/ingest');
  });

  it('refuses a short form without a project, or one that is no topic id', () => {
    expect(() => topicName('ingest', undefined)).toThrow(UsageError);
    expect(() => topicName('ingest', undefined)).toThrow(/set GOOGLE_CLOUD_PROJECT/);
    expect(() => topicName('a/b', 'p')).toThrow(/expected projects\/PROJECT\/topics\/TOPIC/);
  });
});
