#include "audio_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pcm.h"
#include "resampler.h"
#include "wav_reader.h"

namespace sy {
namespace {

bool ReadWholeFile(const std::string& path, std::vector<uint8_t>* out, std::string* error) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = std::strerror(errno);
    return false;
  }
  struct stat st;
  bool ok = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
  const off_t size = st.st_size;
  if (!ok) {
    *error = "not a regular file";
  } else if (static_cast<uint64_t>(size) > kMaxAudioFileBytes) {
    *error = "larger than " + std::to_string(kMaxAudioFileBytes >> 20) + " MB";
    ok = false;
  } else {
    out->resize(static_cast<size_t>(size));
    if (size > 0 && std::fread(out->data(), 1, out->size(), f) != out->size()) {
      *error = std::ferror(f) ? std::strerror(errno) : "short read";
      ok = false;
    }
  }
  std::fclose(f);
  return ok;
}

std::vector<int16_t> MixToMono(const std::vector<int16_t>& interleaved, int channels) {
  if (channels == 1) return interleaved;
  std::vector<int16_t> mono(interleaved.size() / static_cast<size_t>(channels));
  for (size_t i = 0; i < mono.size(); ++i) {
    int32_t sum = 0;
    for (int c = 0; c < channels; ++c) sum += interleaved[i * static_cast<size_t>(channels) + static_cast<size_t>(c)];
    mono[i] = static_cast<int16_t>(sum / channels);
  }
  return mono;
}

}  // namespace

bool LoadAudioFile(const std::string& path, const RawFormat* raw, std::vector<int16_t>* out, std::string* error) {
  std::vector<uint8_t> bytes;
  std::string why;
  if (!ReadWholeFile(path, &bytes, &why)) {
    *error = "cannot read audio file '" + path + "': " + why;
    return false;
  }
  WavAudio audio;
  if (raw != nullptr) {
    audio.sampleRate = raw->sampleRate;
    audio.channels = raw->channels;
    const size_t frameBytes = 2 * static_cast<size_t>(raw->channels);
    audio.samples.resize(bytes.size() / frameBytes * static_cast<size_t>(raw->channels));
    for (size_t i = 0; i < audio.samples.size(); ++i) {
      audio.samples[i] = static_cast<int16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    }
  } else if (!ParseWav(bytes.data(), bytes.size(), &audio, &why)) {
    *error = "audio file '" + path + "': " + why;
    return false;
  }
  if (audio.sampleRate < kSampleRate || audio.sampleRate > kMaxFileRate) {
    *error = "audio file '" + path + "': sample rate " + std::to_string(audio.sampleRate) +
             " Hz is not supported (8000 to 48000 Hz)";
    return false;
  }
  if (audio.channels > kMaxFileChannels) {
    *error = "audio file '" + path + "': " + std::to_string(audio.channels) + " channels is too many";
    return false;
  }
  *out = ResampleTo8k(MixToMono(audio.samples, audio.channels), audio.sampleRate);
  if (out->empty()) {
    *error = "audio file '" + path + "' holds no audio";
    return false;
  }
  return true;
}

}  // namespace sy
