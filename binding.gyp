{
  "targets": [
    {
      "target_name": "switchyard_media",
      "sources": [
        "native/src/addon.cc",
        "native/src/codec_bindings.cc",
        "native/src/dtmf.cc",
        "native/src/dtmf_detector.cc",
        "native/src/dtmf_sender.cc",
        "native/src/dtmf_tone_bindings.cc",
        "native/src/endpoint.cc",
        "native/src/engine_wrap.cc",
        "native/src/events_js.cc",
        "native/src/g711.cc",
        "native/src/jitter_buffer.cc",
        "native/src/js_args.cc",
        "native/src/media_core.cc",
        "native/src/media_core_recording.cc",
        "native/src/media_thread.cc",
        "native/src/mixer.cc",
        "native/src/net_address.cc",
        "native/src/plc.cc",
        "native/src/port_pool.cc",
        "native/src/recorder.cc",
        "native/src/recording_bindings.cc",
        "native/src/rtcp.cc",
        "native/src/rtcp_session.cc",
        "native/src/rtp.cc",
        "native/src/sequence.cc",
        "native/src/telephone_event.cc",
        "native/src/tick_stats.cc",
        "native/src/tone.cc",
        "native/src/wav_writer.cc",
        "native/src/writer_thread.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"],
      "libraries": ["-lpthread"]
    }
  ]
}
