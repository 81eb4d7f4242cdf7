/**
 * Where the loader's calls go: the universe (`universeDomain:`) and whether BigQuery and
 * Cloud Storage calls use the regional endpoints of the job location (`endpoints:`).
 * docs/sovereign.md explains both.
 */
import * as z from 'zod';
import { DEFAULT_UNIVERSE, regionalEndpointProblem, UNIVERSE_DOMAIN } from '../core/universe';

export const endpointsShape = {
  universeDomain: z
    .string()
    .regex(UNIVERSE_DOMAIN, 'expected a domain such as googleapis.com or s3nsapis.fr')
    .describe(
      'The Google Cloud universe (s3nsapis.fr for Trusted Cloud by S3NS); the credentials must belong to it. Default: GOOGLE_CLOUD_UNIVERSE_DOMAIN, else the credentials’ universe.',
    )
    .optional(),
  endpoints: z
    .enum(['global', 'regional'])
    .describe(
      'regional: BigQuery and Cloud Storage calls go to the regional endpoints of `location` (bigquery.LOCATION.rep.UNIVERSE), so requests stay in that location. Default global.',
    )
    .optional(),
};

/**
 * `endpoints: regional` needs a location that has them, in the universe the file names
 * (googleapis.com when it names none; the start-up check repeats this for the universe the
 * loader actually runs in).
 */
export function checkRegionalEndpoints(
  config: { endpoints?: 'global' | 'regional'; universeDomain?: string; location: string },
  ctx: z.RefinementCtx,
): void {
  if (config.endpoints !== 'regional') return;
  const problem = regionalEndpointProblem(
    config.universeDomain ?? DEFAULT_UNIVERSE,
    config.location,
  );
  if (problem) ctx.addIssue({ code: 'custom', path: ['location'], message: problem });
}
