/**
 * The rules file's `allow` block: allowlists enforced in code, each refusal with a reason.
 * Pure zod, imported by schema.ts.
 */
import * as z from 'zod';

/** `projects/P/topics/T`; in `allow.topics`, `*` matches within one path segment. */
export const TOPIC_NAME = /^projects\/[^/]+\/topics\/[^/]+$/;

/** Topic names, `*` matching within one path segment. */
const topicGlobs = (description: string) =>
  z
    .array(z.string().regex(TOPIC_NAME, 'expected projects/PROJECT/topics/TOPIC (`*` allowed)'))
    .describe(description)
    .optional();

export const AllowSchema = z
  .strictObject({
    buckets: z
      .array(z.string().min(1))
      .describe('Buckets (globs) objects may come from; any other bucket is refused.')
      .optional(),
    destinations: z
      .array(z.string().regex(/^[^.]+\.[^.]+(\.[^.]+)*$/, 'expected project.dataset[.table]'))
      .describe('project.dataset or project.dataset.table (globs) loads may land in.')
      .optional(),
    topics: topicGlobs(
      'Topics whose load requests and inline data are accepted; all others are refused.',
    ),
    notificationTopics: topicGlobs(
      'When set, only these topics’ Cloud Storage notifications are acted on; others are refused.',
    ),
    sweepTopics: topicGlobs('When set, only these topics’ sweep commands run; others are refused.'),
  })
  .describe('Optional allowlists; when present, anything outside them is refused.');
