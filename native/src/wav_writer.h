// A PCM16 WAV file being written: the canonical 44-byte header (RIFF/WAVE, a PCM "fmt "
// chunk, a "data" chunk), then samples appended. UpdateHeader() rewrites the two sizes, so a
// file cut off at any moment is still a valid WAV holding what its header last counted.
// Used only by the recording writer thread: every call here may block on the disk.
#pragma once
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace sy {

constexpr size_t kWavHeaderSize = 44;
// The RIFF size field is 32 bits and counts 36 header bytes beside the data.
constexpr uint64_t kWavMaxDataBytes = 0xFFFFFFFFull - 36;

// The header of a PCM16 file with `dataBytes` of samples.
void BuildWavHeader(uint8_t out[kWavHeaderSize], int channels, int sampleRate, uint32_t dataBytes);

class WavFile {
 public:
  WavFile() = default;
  ~WavFile() { Close(); }
  WavFile(const WavFile&) = delete;
  WavFile& operator=(const WavFile&) = delete;

  // Creates (or truncates) `path` and writes a header counting no data. A FIFO works too
  // (a stream: its header keeps counting no data); opening one without a reader fails.
  bool Open(const std::string& path, int channels, int sampleRate, std::string* error);
  // Appends the bytes of `iov` (at most two buffers, `bytes` in all: whole frames).
  bool Append(const iovec* iov, int count, size_t bytes, std::string* error);
  // Rewrites the sizes in the header to the data appended so far.
  bool UpdateHeader(std::string* error);
  // Updates the header and closes; idempotent.
  void Close();

  bool isOpen() const { return fd_ >= 0; }
  uint64_t dataBytes() const { return dataBytes_; }
  uint64_t fileBytes() const { return kWavHeaderSize + dataBytes_; }

 private:
  int fd_ = -1;
  int channels_ = 1;
  int sampleRate_ = 8000;
  uint64_t dataBytes_ = 0;
  uint64_t headerBytes_ = 0;  // dataBytes_ when the header was last written
  bool seekable_ = true;      // false for a pipe: the header cannot be rewritten
};

}  // namespace sy
