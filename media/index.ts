// Public face of the media layer: engine, endpoints, mixers, mix modes, G.711, SDP.
export { MediaEngine, type EndpointOptions, type MediaEngineEventMap, type MediaEngineOptions, type MediaEngineStats } from './engine.js';
export { Endpoint, type EndpointEventMap, type ToneOptions } from './endpoint.js';
export type { DtmfDetectMode, DtmfDigit, DtmfEvent, DtmfMethod, DtmfSentEvent, SendDtmfOptions } from './dtmf.js';
export { dbm0ToAmplitude, dtmfTone, tonePreset, TONE_REGIONS, type ToneArgument, type TonePreset, type ToneRegion, type ToneSpec } from './tones.js';
export { Mixer, type AddMemberOptions, type MixerRecordOptions } from './mixer.js';
export { Playback, type PlaybackReason, type PlaybackResult, type PlayOptions } from './playback.js';
export { Recording, type RecordingEventMap, type RecordingLayout, type RecordingResult } from './recording.js';
export { hearSets, everyoneHearsEveryone, MIX_MODES, type MixMode, type MixRoles } from './modes.js';
export { MediaError, type MediaErrorCode } from './errors.js';
export { ulawEncode, ulawDecode, alawEncode, alawDecode } from './g711.js';
export { addonPath, ABI_VERSION, type CodecName, type EndpointStats, type NativeEndpointSettings as EndpointSettings, type PortPoolStats, type PayloadTypeMap, type Percentiles, type RecordingEndReason, type RecordingStats, type ThreadStats, type VadOptions } from './native.js';
export {
  answerSdp,
  offerSdp,
  newOrigin,
  sdpDirection,
  remoteMedia,
  configureEndpoint,
  endpointSettings,
  acceptsAudio,
  sendsAudio,
  type Direction,
  type LocalMedia,
  type MediaAddress,
  type RemoteMedia,
} from './sdp.js';
