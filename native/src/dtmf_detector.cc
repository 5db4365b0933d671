#include "dtmf_detector.h"

#include <cmath>
#include <cstring>

#include "pcm.h"

namespace sy {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// Consecutive hits for a key to go down: 3 windows 10 ms apart span about 40 ms of tone,
// the shortest a receiver must accept (ITU-T Q.24); 20 ms never makes 3 hits.
constexpr int kHitsToStart = 3;
// Consecutive misses for it to come up: a pause of 40 ms is seen, a single lost window is not.
constexpr int kMissesToEnd = 3;

// Each tone at least about -33 dBm0: a sine of this peak amplitude (16-bit scale).
constexpr double kMinToneAmplitude = 500;
// Row + column energy as a share of the window's energy (the rest is noise, speech, other tones).
constexpr double kMinToneShare = 0.65;
// Twist limits: the column (high group) tone may be up to 8 dB weaker than the row tone
// (normal twist) or up to 4 dB stronger (reverse twist).
const double kNormalTwist = std::pow(10.0, -8.0 / 10);
const double kReverseTwist = std::pow(10.0, 4.0 / 10);
// Second harmonic of either tone at most this share of it: DTMF is two pure tones, a voice
// or music note that happens to hit a row and a column has overtones.
constexpr double kMaxHarmonicShare = 0.25;
// The row's second harmonic is not measurable when it falls this close to the column tone
// (2 x 697 = 1394 Hz next to 1336 Hz): the column tone leaks into it. The energy share
// still catches the overtones there.
constexpr double kHarmonicGuardHz = 100;

double GoertzelCoefficient(double hz) { return 2 * std::cos(kTwoPi * hz / kSampleRate); }

// |X(hz)|^2 from the filter state, scaled so a sine of peak A over the window scores about
// the window's energy sum(x^2) = kWindow * A^2 / 2.
double Energy(double s1, double s2, double coeff) {
  return 2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2) / DtmfDetector::kWindow;
}

double ToneEnergy(const float* x, double hz) {
  const double coeff = GoertzelCoefficient(hz);
  double s1 = 0, s2 = 0;
  for (size_t i = 0; i < DtmfDetector::kWindow; ++i) {
    const double s0 = x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return Energy(s1, s2, coeff);
}

// The strongest of four tones (a row or column group). The four filters run side by side
// in one pass: independent recurrences the CPU overlaps, about 4x faster than one by one.
struct Group {
  explicit Group(const double* hz) {
    for (int k = 0; k < 4; ++k) coeff[k] = GoertzelCoefficient(hz[k]);
  }
  int Strongest(const float* x, double* energy) const {
    double s1[4] = {}, s2[4] = {};
    for (size_t i = 0; i < DtmfDetector::kWindow; ++i) {
      for (int k = 0; k < 4; ++k) {
        const double s0 = x[i] + coeff[k] * s1[k] - s2[k];
        s2[k] = s1[k];
        s1[k] = s0;
      }
    }
    int best = 0;
    *energy = -1;
    for (int k = 0; k < 4; ++k) {
      const double e = Energy(s1[k], s2[k], coeff[k]);
      if (e > *energy) {
        *energy = e;
        best = k;
      }
    }
    return best;
  }
  double coeff[4];
};

static_assert(kDtmfRows == 4 && kDtmfColumns == 4, "a Group holds four tones");
const Group kRows(kDtmfRowHz);
const Group kColumns(kDtmfColumnHz);

}  // namespace

char DtmfDetector::Classify(const float* x) {
  constexpr double kMinToneEnergy = kWindow * kMinToneAmplitude * kMinToneAmplitude / 2;
  double total = 0;
  for (size_t i = 0; i < kWindow; ++i) total += static_cast<double>(x[i]) * x[i];
  if (total < 2 * kMinToneEnergy) return 0;  // too quiet to hold two tones: skip the filters

  double row, column;
  const int r = kRows.Strongest(x, &row);
  const int c = kColumns.Strongest(x, &column);
  if (row < kMinToneEnergy || column < kMinToneEnergy) return 0;
  if (column < row * kNormalTwist || column > row * kReverseTwist) return 0;
  if (row + column < kMinToneShare * total) return 0;
  const double rowHarmonic = 2 * kDtmfRowHz[r];
  if (std::fabs(rowHarmonic - kDtmfColumnHz[c]) >= kHarmonicGuardHz &&
      ToneEnergy(x, rowHarmonic) > kMaxHarmonicShare * row) {
    return 0;
  }
  if (ToneEnergy(x, 2 * kDtmfColumnHz[c]) > kMaxHarmonicShare * column) return 0;
  return DtmfKeyAt(r, c);
}

void DtmfDetector::Reset() { *this = DtmfDetector(); }

void DtmfDetector::Process(const int16_t* samples, size_t n, DtmfEdges* edges) {
  for (size_t i = 0; i < n; ++i) {
    // The window slides by one hop: the oldest hop leaves, the new samples fill the tail.
    if (inHop_ == 0) std::memmove(window_.data(), window_.data() + kHop, (kWindow - kHop) * sizeof(float));
    window_[kWindow - kHop + inHop_] = samples[i];
    if (++inHop_ < kHop) continue;
    inHop_ = 0;
    OnWindow(Classify(window_.data()), edges);
  }
}

void DtmfDetector::OnWindow(char hit, DtmfEdges* edges) {
  const int64_t now = index_++;
  if (down_) {
    if (hit == digit_) {
      misses_ = 0;
      lastHit_ = now;
    } else if (++misses_ >= kMissesToEnd) {
      down_ = false;
      DtmfEdge up;
      up.digit = digit_;
      up.method = DtmfMethod::kInband;
      up.durationMs = static_cast<uint32_t>((lastHit_ - firstHit_) * kHop + kWindow) * 1000 / kSampleRate;
      edges->Add(up);
    }
  }
  // Count consecutive hits of a key that is not the one held down.
  if (hit == 0 || (down_ && hit == digit_)) {
    candidate_ = 0;
    candidateHits_ = 0;
    return;
  }
  if (hit != candidate_) {
    candidate_ = hit;
    candidateHits_ = 0;
    candidateFirst_ = now;
  }
  if (++candidateHits_ >= kHitsToStart && !down_) {
    down_ = true;
    digit_ = candidate_;
    firstHit_ = candidateFirst_;
    lastHit_ = now;
    misses_ = 0;
    candidate_ = 0;
    candidateHits_ = 0;
    DtmfEdge d;
    d.down = true;
    d.digit = digit_;
    d.method = DtmfMethod::kInband;
    edges->Add(d);
  }
}

}  // namespace sy
