#include "wav_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sy {
namespace {

void Put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

void Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

std::string Failure(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

}  // namespace

void BuildWavHeader(uint8_t out[kWavHeaderSize], int channels, int sampleRate, uint32_t dataBytes) {
  const uint16_t blockAlign = static_cast<uint16_t>(channels * 2);
  std::memcpy(out, "RIFF", 4);
  Put32(out + 4, 36 + dataBytes);
  std::memcpy(out + 8, "WAVEfmt ", 8);
  Put32(out + 16, 16);  // fmt chunk size
  Put16(out + 20, 1);   // WAVE_FORMAT_PCM
  Put16(out + 22, static_cast<uint16_t>(channels));
  Put32(out + 24, static_cast<uint32_t>(sampleRate));
  Put32(out + 28, static_cast<uint32_t>(sampleRate) * blockAlign);  // byte rate
  Put16(out + 32, blockAlign);
  Put16(out + 34, 16);  // bits per sample
  std::memcpy(out + 36, "data", 4);
  Put32(out + 40, dataBytes);
}

bool WavFile::Open(const std::string& path, int channels, int sampleRate, std::string* error) {
  Close();
  channels_ = channels;
  sampleRate_ = sampleRate;
  dataBytes_ = headerBytes_ = 0;
  seekable_ = true;
  // Non-blocking only while opening: a FIFO without a reader fails (ENXIO) instead of
  // blocking the writer, and so engine shutdown, forever. Writes then block as on a disk.
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0644);
  if (fd_ < 0) {
    *error = Failure(("cannot open '" + path + "'").c_str(), errno);
    return false;
  }
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  uint8_t header[kWavHeaderSize];
  BuildWavHeader(header, channels_, sampleRate_, 0);
  if (write(fd_, header, sizeof(header)) != static_cast<ssize_t>(sizeof(header))) {
    *error = Failure(("cannot write to '" + path + "'").c_str(), errno);
    close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

bool WavFile::Append(const iovec* iov, int count, size_t bytes, std::string* error) {
  // Sequential writes (a FIFO cannot seek); a short write is continued, never duplicated.
  iovec rest[2];
  int n = 0;
  for (int i = 0; i < count && n < 2; ++i) rest[n++] = iov[i];
  size_t left = bytes;
  while (left > 0) {
    const ssize_t w = writev(fd_, rest, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      *error = Failure("cannot write the recording", w < 0 ? errno : ENOSPC);
      return false;
    }
    dataBytes_ += static_cast<uint64_t>(w);
    left -= static_cast<size_t>(w);
    size_t done = static_cast<size_t>(w);
    int first = 0;
    while (first < n && done >= rest[first].iov_len) done -= rest[first++].iov_len;
    for (int i = first; i < n; ++i) rest[i - first] = rest[i];
    n -= first;
    if (n > 0) {
      rest[0].iov_base = static_cast<uint8_t*>(rest[0].iov_base) + done;
      rest[0].iov_len -= done;
    }
  }
  return true;
}

bool WavFile::UpdateHeader(std::string* error) {
  if (fd_ < 0 || !seekable_ || headerBytes_ == dataBytes_) return true;
  uint8_t header[kWavHeaderSize];
  BuildWavHeader(header, channels_, sampleRate_, static_cast<uint32_t>(dataBytes_));
  if (pwrite(fd_, header, sizeof(header), 0) != static_cast<ssize_t>(sizeof(header))) {
    if (errno == ESPIPE) {  // a pipe: the stream keeps the sizes of its first header (0)
      seekable_ = false;
      return true;
    }
    *error = Failure("cannot update the WAV header", errno);
    return false;
  }
  headerBytes_ = dataBytes_;
  return true;
}

void WavFile::Close() {
  if (fd_ < 0) return;
  std::string ignored;  // nothing left to report it to: the file keeps its last good header
  UpdateHeader(&ignored);
  close(fd_);
  fd_ = -1;
}

}  // namespace sy
