/**
 * The largest request body an instance accepts. Pub/Sub's largest message is 10 MB, base64 in
 * a push or Eventarc envelope (×4/3) with up to 100 attributes: 16 MiB is more than any real
 * caller sends. Cloud Run stops HTTP/1 bodies at 32 MiB; the framework itself would buffer up
 * to 1 GiB. The door enforces it (src/door/rules.ts); the in-flight budget may not be smaller
 * (src/settings.ts).
 */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
