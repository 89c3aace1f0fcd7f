// The files of a message this page no longer holds (it was sent before a reload) come back
// from the server's copy (GET /sessions/{id}/attachments/{attachment_id}), so Retry can send
// them again.
import { type AttachmentView, type PendingAttachment, readAsBase64 } from './attachments';
import { download } from './rest-client';

/** Every file again, or a rejection naming the first one that cannot be had. */
export function fetchAgain(views: AttachmentView[]): Promise<PendingAttachment[]> {
  return Promise.all(
    views.map(async (v) => {
      if (!v.remote) throw new Error(`${v.name} is not kept on the server`);
      const { blob } = await download(`/api/v1/sessions/${v.remote.sessionId}/attachments/${encodeURIComponent(v.remote.id)}`, v.name);
      return {
        key: `r:${v.remote.id}`,
        name: v.name,
        media_type: v.media_type,
        size: blob.size,
        data: await readAsBase64(blob),
        url: v.media_type.startsWith('image/') ? URL.createObjectURL(blob) : null,
      };
    }),
  );
}
