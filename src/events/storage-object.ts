/**
 * Cloud Storage object resource, as carried by Eventarc's `google.cloud.storage.object.v1.*`
 * events (`StorageObjectData`) and by Pub/Sub notifications with payload `JSON_API_V1`.
 * https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/storage/v1/data.proto
 * https://cloud.google.com/storage/docs/json_api/v1/objects#resource
 */
import * as z from 'zod';
import { objectNameProblem } from '../core/object-name';
import type { ObjectRef } from '../types';
import { Int64Schema, SafeInt64Schema } from './int64';

/** An object name within Cloud Storage's own limits (core/object-name.ts). */
export const ObjectNameSchema = z.string().superRefine((name, ctx) => {
  const problem = objectNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const StorageObjectDataSchema = z.object({
  bucket: z.string().min(1),
  name: ObjectNameSchema,
  generation: Int64Schema,
  metageneration: Int64Schema.optional(),
  size: SafeInt64Schema,
  contentType: z.string().optional(),
  contentEncoding: z.string().optional(),
  // Absent when the object has no custom metadata.
  metadata: z.record(z.string(), z.string()).nullish(),
  timeCreated: z.string().optional(),
  updated: z.string().optional(),
  crc32c: z.string().optional(),
  // Absent for composite objects.
  md5Hash: z.string().optional(),
});

export type StorageObjectData = z.infer<typeof StorageObjectDataSchema>;

export function toObjectRef(data: StorageObjectData): ObjectRef {
  const ref: ObjectRef = {
    bucket: data.bucket,
    name: data.name,
    generation: data.generation,
    size: data.size,
    metadata: data.metadata ?? {},
  };
  if (data.metageneration !== undefined) ref.metageneration = data.metageneration;
  if (data.contentType !== undefined) ref.contentType = data.contentType;
  if (data.contentEncoding !== undefined) ref.contentEncoding = data.contentEncoding;
  if (data.timeCreated !== undefined) ref.timeCreated = data.timeCreated;
  return ref;
}
