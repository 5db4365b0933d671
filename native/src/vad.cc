#include "vad.h"

#include <algorithm>
#include <cmath>

namespace sy {
namespace {

// Mean square of the frame relative to a full-scale square wave, in dB.
double FrameEnergyDb(const int16_t* frame) {
  // Summed in integers (exact, and vectorised): at most 160 * 2^30, well within a double's
  // 53 bits, so the same value as summing in doubles.
  int64_t sum = 0;
  for (size_t i = 0; i < kFrameSamples; ++i) sum += int32_t{frame[i]} * frame[i];
  const double meanSquare = static_cast<double>(sum) / kFrameSamples / (32768.0 * 32768.0);
  return 10.0 * std::log10(meanSquare + 1e-10);  // digital silence: -100 dB
}

}  // namespace

double VoiceDetector::UpdateFloor(double energyDb) {
  if (framesInWindow_ == 0 || energyDb < currentMin_) currentMin_ = energyDb;
  if (++framesInWindow_ == kFramesPerWindow) {
    windowMin_[static_cast<size_t>(windowIndex_)] = currentMin_;
    windowIndex_ = (windowIndex_ + 1) % kWindows;
    windowsFilled_ = std::min(windowsFilled_ + 1, kWindows);
    framesInWindow_ = 0;
  }
  double floor = currentMin_;
  for (int i = 0; i < windowsFilled_; ++i) floor = std::min(floor, windowMin_[static_cast<size_t>(i)]);
  return floor;
}

VoiceDetector::Change VoiceDetector::Process(const int16_t* frame, bool received) {
  const int64_t frameStart = clockMs_;
  clockMs_ += kTickMs;
  startedNow_ = false;
  bool loud = false;
  if (received) {
    const double energy = FrameEnergyDb(frame);
    floorDb_ = UpdateFloor(energy);
    loud = energy >= floorDb_ + config_.marginDb && energy >= config_.minLevelDb;
  }

  // Talk and silence time count only while enabled.
  const int64_t counted = config_.enabled ? kTickMs : 0;
  if (!speaking_) {
    silenceMs_ += counted;
    if (!loud) {
      loudRunMs_ = 0;
      return Change::kNone;
    }
    if (loudRunMs_ == 0) {
      segmentStartMs_ = frameStart;
      countedRunMs_ = 0;
    }
    loudRunMs_ += kTickMs;
    countedRunMs_ += counted;
    if (loudRunMs_ < std::max<int64_t>(config_.minSpeechMs, kTickMs)) return Change::kNone;
    speaking_ = true;
    startedNow_ = true;
    lastLoudEndMs_ = clockMs_;
    countedQuietMs_ = 0;
    silenceMs_ -= countedRunMs_;  // the run was speech after all
    talkMs_ += countedRunMs_;
    loudRunMs_ = 0;
    return Change::kStart;
  }

  talkMs_ += counted;
  if (loud) {
    lastLoudEndMs_ = clockMs_;
    countedQuietMs_ = 0;
    return Change::kNone;
  }
  countedQuietMs_ += counted;
  const int64_t quietMs = clockMs_ - lastLoudEndMs_;
  if (quietMs < std::max(config_.hangoverMs, config_.minSilenceMs)) return Change::kNone;
  speaking_ = false;
  segmentEndMs_ = lastLoudEndMs_ + config_.hangoverMs;
  // The quiet frames past the hangover were silence after all.
  const int64_t beyondHangover = std::min(clockMs_ - segmentEndMs_, countedQuietMs_);
  talkMs_ -= beyondHangover;
  silenceMs_ += beyondHangover;
  return Change::kEnd;
}

}  // namespace sy
