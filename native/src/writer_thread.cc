#include "writer_thread.h"

#include <pthread.h>

#include <chrono>
#include <system_error>

#include "clock.h"
#include "counters.h"

namespace sy {
namespace {

constexpr auto kPassInterval = std::chrono::milliseconds(100);
constexpr int64_t kHeaderIntervalNs = 1000000000;

}  // namespace

bool RecordingWriter::Start(std::string* error) {
  try {
    thread_ = std::thread([this] { Run(); });
  } catch (const std::system_error& e) {
    *error = std::string("cannot start the recording writer: ") + e.what();
    return false;
  }
  started_ = true;
  return true;
}

void RecordingWriter::Add(std::shared_ptr<RecordingState> state) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    incoming_.push_back(std::move(state));
  }
  wake_.notify_one();
}

void RecordingWriter::Stop() {
  if (!started_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  started_ = false;
}

RecorderStats RecordingWriter::Stats() const {
  RecorderStats s;
  s.active = active_.load(std::memory_order_relaxed);
  s.finished = finished_.load(std::memory_order_relaxed);
  s.failed = failed_.load(std::memory_order_relaxed);
  s.framesWritten = framesWritten_.load(std::memory_order_relaxed);
  s.bytesWritten = bytesWritten_.load(std::memory_order_relaxed);
  s.droppedFrames = droppedFrames_.load(std::memory_order_relaxed);
  s.writeUs = writeUs_.load(std::memory_order_relaxed);
  s.passes = passes_.load(std::memory_order_relaxed);
  s.maxPassUs = maxPassUs_.load(std::memory_order_relaxed);
  return s;
}

void RecordingWriter::Run() {
  pthread_setname_np(pthread_self(), "sy-rec-writer");
  for (;;) {
    bool closing;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, kPassInterval, [this] { return stop_ || !incoming_.empty(); });
      for (auto& s : incoming_) {
        entries_.push_back(std::make_unique<Entry>());
        entries_.back()->state = std::move(s);
      }
      incoming_.clear();
      closing = stop_;
    }
    const int64_t start = MonotonicNs();
    EventList events;
    size_t kept = 0;
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (Service(*entries_[i], start, closing, events)) continue;
      if (kept != i) entries_[kept] = std::move(entries_[i]);
      ++kept;
    }
    entries_.resize(kept);
    active_.store(static_cast<int64_t>(kept), std::memory_order_relaxed);
    if (!events.empty()) sink_.Deliver(std::move(events));
    const int64_t passUs = (MonotonicNs() - start) / 1000;
    Bump(passes_);
    if (passUs > maxPassUs_.load(std::memory_order_relaxed)) maxPassUs_.store(passUs, std::memory_order_relaxed);
    if (closing) return;  // a closing pass finishes every recording
  }
}

bool RecordingWriter::Service(Entry& e, int64_t nowNs, bool closing, EventList& events) {
  RecordingState& st = *e.state;
  if (!e.file.isOpen()) {
    std::string error;
    if (!e.file.Open(st.path, st.channels, kSampleRate, &error)) {
      Fail(e, error, events);
      return true;
    }
    e.headerNs = nowNs;
    Event ev;
    ev.type = "recordingOpened";
    ev.numbers.emplace_back("recordingId", st.id);
    events.push_back(std::move(ev));
  }
  // Read `ended` before draining: every frame pushed before it was set is then written.
  const bool ended = st.ended.load(std::memory_order_acquire);
  bool full = false;
  if (!Drain(e, &full, events)) return true;
  if (full) {
    st.abandoned.store(true, std::memory_order_relaxed);
    Finish(e, RecordingEnd::kSizeLimit, events);
    return true;
  }
  if (ended || closing) {
    Finish(e, ended ? static_cast<RecordingEnd>(st.endReason.load(std::memory_order_relaxed)) : RecordingEnd::kEngineClosed,
           events);
    return true;
  }
  if (nowNs - e.headerNs >= kHeaderIntervalNs) {
    std::string error;
    if (!e.file.UpdateHeader(&error)) {
      Fail(e, error, events);
      return true;
    }
    e.headerNs = nowNs;
  }
  return false;
}

// Writes what the ring holds; false (after Fail) on a write error. `full`: the WAV size
// limit was reached.
bool RecordingWriter::Drain(Entry& e, bool* full, EventList& events) {
  FrameRing& ring = e.state->ring;
  FrameRing::Span spans[2];
  const int n = ring.Readable(spans);
  if (n == 0) return true;
  const size_t frameBytes = ring.frameSamples() * sizeof(int16_t);
  size_t frames = 0;
  for (int i = 0; i < n; ++i) frames += spans[i].frames;
  const size_t room = static_cast<size_t>((kWavMaxDataBytes - e.file.dataBytes()) / frameBytes);
  if (frames > room) {
    frames = room;
    *full = true;
  }
  iovec iov[2];
  int count = 0;
  size_t left = frames;
  for (int i = 0; i < n && left > 0; ++i) {
    const size_t take = spans[i].frames < left ? spans[i].frames : left;
    iov[count].iov_base = const_cast<int16_t*>(spans[i].data);
    iov[count].iov_len = take * frameBytes;
    ++count;
    left -= take;
  }
  if (frames == 0) return true;
  const int64_t t0 = MonotonicNs();
  std::string error;
  const bool ok = e.file.Append(iov, count, frames * frameBytes, &error);
  Bump(writeUs_, (MonotonicNs() - t0) / 1000);
  if (!ok) {
    Fail(e, error, events);
    return false;
  }
  ring.Consume(frames);
  Bump(framesWritten_, static_cast<int64_t>(frames));
  Bump(bytesWritten_, static_cast<int64_t>(frames * frameBytes));
  return true;
}

void RecordingWriter::Finish(Entry& e, RecordingEnd reason, EventList& events) {
  RecordingState& st = *e.state;
  e.file.Close();
  const int64_t dropped = st.droppedFrames.load(std::memory_order_relaxed);
  const uint64_t bytesPerMs = static_cast<uint64_t>(st.channels) * sizeof(int16_t) * kSampleRate / 1000;
  Event ev;
  ev.type = "recordingDone";
  ev.numbers.emplace_back("recordingId", st.id);
  ev.numbers.emplace_back("durationMs", static_cast<double>(e.file.dataBytes() / bytesPerMs));
  ev.numbers.emplace_back("bytes", static_cast<double>(e.file.fileBytes()));
  ev.numbers.emplace_back("droppedFrames", static_cast<double>(dropped));
  ev.strings.emplace_back("path", st.path);
  ev.strings.emplace_back("reason", RecordingEndName(reason));
  events.push_back(std::move(ev));
  Bump(droppedFrames_, dropped);
  Bump(finished_);
  st.finished.store(true, std::memory_order_release);
}

void RecordingWriter::Fail(Entry& e, const std::string& message, EventList& events) {
  RecordingState& st = *e.state;
  st.abandoned.store(true, std::memory_order_relaxed);
  e.file.Close();  // keeps what was written, with its last good header
  Event ev;
  ev.type = "recordingError";
  ev.numbers.emplace_back("recordingId", st.id);
  ev.strings.emplace_back("path", st.path);
  ev.strings.emplace_back("message", message);
  events.push_back(std::move(ev));
  Bump(failed_);
  st.finished.store(true, std::memory_order_release);
}

}  // namespace sy
