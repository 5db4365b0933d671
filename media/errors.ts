/** Failures of the media layer that are not bad arguments (those are TypeError/RangeError). */
export type MediaErrorCode =
  | 'ADDON_MISSING'
  | 'ADDON_ABI'
  | 'NOT_STARTED'
  | 'CLOSED'
  | 'FOREIGN_OBJECT'
  | 'RECORDING_FAILED'
  | 'AUDIO_FILE';

export class MediaError extends Error {
  constructor(
    message: string,
    readonly code: MediaErrorCode,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}
